using Hangfire.States;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// When a <see cref="SendNotificationJob"/> fails for good (its transient retries ran out), its
/// ledger row must not stay <c>pending</c> for ever with nobody told: the row becomes
/// <c>failed</c> with its last reason and the MASSH is asked to make sure the recipient is told,
/// as for a permanent failure. Registered after Hangfire's retry filter (<see cref="Order"/>), so it
/// sees its decision; a row already failed, sent or withheld is left as it is.
/// </summary>
public sealed class GiveUpWhenRetriesRunOut(NotificationLedger ledger, NotificationPlanner planner, INotificationDispatcher dispatcher)
    : IElectStateFilter
{
    /// <summary>The filter order to register it with: after <c>AutomaticRetryAttribute</c> (20).</summary>
    public const int Order = 30;

    /// <inheritdoc />
    public void OnStateElection(ElectStateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.CandidateState is not FailedState failed
            || context.BackgroundJob.Job?.Type != typeof(SendNotificationJob)
            || context.BackgroundJob.Job.Args is not [Guid notificationId, ..])
        {
            return;
        }

        var lastFailure = failed.Exception?.GetType().Name ?? "unknown";
        if (ledger.GiveUpAsync(notificationId, lastFailure, planner.Undelivered).GetAwaiter().GetResult())
        {
            dispatcher.ScheduleDispatch();
        }
    }
}
