using Hangfire;
using Hangfire.States;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// When a <see cref="SendNotificationJob"/> fails for good (its transient retries ran out), its
/// ledger row must not stay <c>pending</c> for ever with nobody told: the row becomes
/// <c>failed</c> with its last reason and the MASSH is asked to make sure the recipient is told,
/// as for a permanent failure. So too when the job is deleted (on the dashboard, whose client
/// no server filter sees) while its row is still undelivered: ops stopped the retries, and the
/// MASSH must know the recipient was not told (<see cref="GiveUpDeletedAsync"/>, run by the
/// dispatch's safety net every 15 seconds). Registered after Hangfire's retry filter (<see cref="Order"/>), so it sees its decision; a row
/// already failed, sent or withheld is left as it is.
/// </summary>
public sealed class GiveUpWhenRetriesRunOut(NotificationLedger ledger, NotificationPlanner planner, INotificationDispatcher dispatcher, JobStorage jobs)
    : IElectStateFilter
{
    /// <summary>How many of the most recently deleted jobs each look covers.</summary>
    private const int DeletedJobsLooked = 1000;

    /// <summary>Fails, and tells the MASSH of, every undelivered row whose delivery job has been deleted.</summary>
    /// <returns>How many rows were given up.</returns>
    public async Task<int> GiveUpDeletedAsync()
    {
        var deleted = jobs.GetMonitoringApi().DeletedJobs(0, DeletedJobsLooked)
            .Where(job => job.Value?.Job?.Type == typeof(SendNotificationJob) && job.Value.Job.Args is [Guid, ..])
            .Select(job => (NotificationId: (Guid)job.Value.Job.Args[0], JobId: job.Key))
            .ToList();
        var given = 0;
        foreach (var notificationId in await ledger.UndeliveredOfJobsAsync(deleted))
        {
            given += await ledger.GiveUpAsync(notificationId, "Gave up: its delivery job was deleted on the dashboard", planner.Undelivered) ? 1 : 0;
        }

        if (given > 0)
        {
            dispatcher.ScheduleDispatch();
        }

        return given;
    }

    /// <summary>The filter order to register it with: after <c>AutomaticRetryAttribute</c> (20).</summary>
    public const int Order = 30;

    /// <inheritdoc />
    public void OnStateElection(ElectStateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.BackgroundJob.Job?.Type != typeof(SendNotificationJob) || context.BackgroundJob.Job.Args is not [Guid notificationId, ..])
        {
            return;
        }

        if (context.CandidateState is not FailedState failed)
        {
            return;
        }

        var reason = $"Gave up: retries ran out ({failed.Exception?.GetType().Name ?? "unknown"})";
        if (ledger.GiveUpAsync(notificationId, reason, planner.Undelivered).GetAwaiter().GetResult())
        {
            dispatcher.ScheduleDispatch();
        }
    }
}
