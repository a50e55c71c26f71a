namespace StepUpDown.Domain.Time;

/// <summary>
/// A clock that runs <c>speed</c> times faster than <paramref name="inner"/> from the moment it is
/// made (<c>Clock:Speed</c>, for demos and black-box tests): only the date and time read
/// (<see cref="GetUtcNow"/>) run fast. Timers, delays and timeouts keep real time, so retries and
/// HTTP timeouts behave as they do in production.
/// </summary>
public sealed class AcceleratedTimeProvider(TimeProvider inner, double speed) : TimeProvider
{
    private readonly DateTimeOffset _start = inner.GetUtcNow();

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _start + ((inner.GetUtcNow() - _start) * speed);

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;
}
