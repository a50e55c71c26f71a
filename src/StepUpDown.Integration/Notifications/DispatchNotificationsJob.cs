using Hangfire;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// Delivers the due ledger rows (scheduled per page, and every 15 seconds as a safety net, which
/// also makes the notices waiting for the relay due at once when it answers again). Not retried:
/// the next run is 15 seconds away.
/// </summary>
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class DispatchNotificationsJob(NotificationDispatcher dispatcher, RelayRecovery relay)
{
    /// <summary>The recurring job id of the safety net.</summary>
    public const string RecurringJobId = "dispatch-notifications";

    /// <summary>Brings the notices waiting for the relay forward if it is back, then delivers the due rows.</summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        await relay.ProbeAsync(cancellationToken);
        await dispatcher.DispatchPendingAsync(cancellationToken);
    }
}
