namespace StepUpDown.Domain.Notifications;

/// <summary>
/// When a notice whose attempt failed for a reason that may pass (the relay down, a deferral) is
/// tried again, and when it is given up. By default the curve Hangfire's retries followed, without
/// its random spread: the n-th retry waits (n − 1)⁴ + 15 + 15·n seconds (30 s, 46 s, 76 s, … 1 h 52 m
/// at the tenth), so ten retries span about four and a half hours. A council may set its own
/// delays instead (<c>Notifications:RetryDelays</c>, the last repeated). After
/// <see cref="MaxRetries"/> retries the notice is failed and the MASSH told.
/// </summary>
public sealed class RetrySchedule
{
    private readonly IReadOnlyList<TimeSpan> _delays;

    /// <param name="maxRetries">Retries after the first attempt before the notice is failed (<c>Notifications:MaxAttempts</c>).</param>
    /// <param name="delays">The wait before each retry, the last repeated; empty: the default curve.</param>
    public RetrySchedule(int maxRetries, IReadOnlyList<TimeSpan>? delays = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetries, 0);
        MaxRetries = maxRetries;
        _delays = delays ?? [];
    }

    /// <summary>Retries after the first attempt before the notice is failed.</summary>
    public int MaxRetries { get; }

    /// <summary>
    /// The wait before the next attempt of a notice that has now failed <paramref name="attemptsMade"/>
    /// times; null when it has had its last retry and is to be failed.
    /// </summary>
    public TimeSpan? After(int attemptsMade)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptsMade, 1);
        var retry = attemptsMade; // the next attempt is retry number attemptsMade
        if (retry > MaxRetries)
        {
            return null;
        }

        return _delays.Count > 0 ? _delays[Math.Min(retry, _delays.Count) - 1] : Default(retry);
    }

    /// <summary>
    /// The wait of a notice whose attempt was never made, or never asked the relay (another notice
    /// found the relay not reached, or it had just refused a login): the first retry's, however many
    /// retries are left, since no attempt is counted.
    /// </summary>
    public TimeSpan Untried => _delays.Count > 0 ? _delays[0] : Default(1);

    /// <summary>Hangfire's backoff for retry <paramref name="retry"/> (1-based), at the middle of its random spread.</summary>
    private static TimeSpan Default(int retry) => TimeSpan.FromSeconds(Math.Pow(retry - 1, 4) + 15 + (15 * retry));
}
