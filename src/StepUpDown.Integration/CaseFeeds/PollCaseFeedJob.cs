using Hangfire;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>
/// The recurring job that polls one source. It is not retried by Hangfire: the next scheduled
/// run is the retry, and calls inside a run already retry with backoff. A failed run stays
/// visible on the dashboard; the cursor has not moved past anything uncommitted.
/// </summary>
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class PollCaseFeedJob(CaseFeedPoller poller)
{
    /// <summary>The recurring job id of a source's poll.</summary>
    public static string RecurringJobId(string source) => $"poll-case-feed:{source}";

    /// <summary>Polls <paramref name="source"/> (its configured name: not personal data).</summary>
    public Task ExecuteAsync(string source, CancellationToken cancellationToken) =>
        poller.PollAsync(source, cancellationToken);
}
