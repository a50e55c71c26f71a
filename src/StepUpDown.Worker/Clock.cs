using System.ComponentModel.DataAnnotations;

namespace StepUpDown.Worker;

/// <summary>The worker's clock (section <c>Clock</c>).</summary>
public sealed class ClockOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Clock";

    /// <summary>
    /// How many times faster than real time the worker's dates run: 1 in production; 1440 makes a
    /// minute a day, so a 15-working-day ladder can be watched in about 20 minutes.
    /// </summary>
    [Range(1, 100_000)]
    public double Speed { get; set; } = 1;
}

/// <summary>
/// A clock that runs <c>speed</c> times faster than <paramref name="inner"/> from the moment it is
/// made: only the date and time read (<see cref="GetUtcNow"/>) run fast. Timers, delays and
/// timeouts keep real time, so retries and HTTP timeouts behave as they do in production.
/// </summary>
public sealed class AcceleratedTimeProvider(TimeProvider inner, double speed) : TimeProvider
{
    private readonly DateTimeOffset _start = inner.GetUtcNow();

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _start + ((inner.GetUtcNow() - _start) * speed);

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;
}
