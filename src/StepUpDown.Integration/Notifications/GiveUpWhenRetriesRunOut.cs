using Hangfire;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// No notice ends silently. When a <see cref="SendNotificationJob"/> has failed for good (its
/// transient retries ran out, <see cref="DeliveryRetryPolicy"/>) or has been deleted (on the
/// dashboard) while its ledger row is still undelivered, the row becomes <c>failed</c> with its
/// last reason and the MASSH is asked to make sure the recipient is told, as for a permanent
/// failure. Run by the dispatch's safety net every 15 seconds (<see cref="DispatchNotificationsJob"/>),
/// async end to end; a row already failed, sent or withheld is left as it is.
/// </summary>
public sealed class GiveUpWhenRetriesRunOut(NotificationLedger ledger, NotificationPlanner planner, INotificationDispatcher dispatcher, JobStorage jobs)
{
    /// <summary>How many of the most recently failed, and deleted, jobs each look covers.</summary>
    private const int JobsLooked = 1000;

    /// <summary>Fails, and tells the MASSH of, every undelivered row whose delivery job has failed for good or been deleted.</summary>
    /// <returns>How many rows were given up.</returns>
    public async Task<int> GiveUpAsync()
    {
        var monitoring = jobs.GetMonitoringApi();
        var ended = Deliveries(
            monitoring.FailedJobs(0, JobsLooked).Select(job => (job.Key, job.Value?.Job, $"Gave up: retries ran out ({ShortName(job.Value?.ExceptionType)})"))
                .Concat(monitoring.DeletedJobs(0, JobsLooked).Select(job => (job.Key, job.Value?.Job, "Gave up: its delivery job was deleted on the dashboard"))));
        var reasons = ended.ToDictionary(job => job.NotificationId, job => job.Reason);
        var given = 0;
        foreach (var notificationId in await ledger.UndeliveredOfJobsAsync(ended.Select(job => (job.NotificationId, job.JobId)).ToList()))
        {
            given += await ledger.GiveUpAsync(notificationId, reasons[notificationId], planner.Undelivered) ? 1 : 0;
        }

        if (given > 0)
        {
            dispatcher.ScheduleDispatch();
        }

        return given;
    }

    /// <summary>The delivery jobs among <paramref name="jobsFound"/>, each with the reason its row is given up for, one per notice.</summary>
    private static List<EndedDelivery> Deliveries(IEnumerable<(string JobId, Hangfire.Common.Job? Job, string Reason)> jobsFound) =>
        jobsFound
            .Where(found => found.Job?.Type == typeof(SendNotificationJob) && found.Job.Args is [Guid, ..])
            .Select(found => new EndedDelivery((Guid)found.Job!.Args[0], found.JobId, found.Reason))
            .DistinctBy(found => found.NotificationId)
            .ToList();

    /// <summary>The exception's type without its namespace (what the row's reason names: no message, which may quote a value).</summary>
    private static string ShortName(string? exceptionType) =>
        exceptionType is null ? "unknown" : exceptionType[(exceptionType.LastIndexOf('.') + 1)..];

    private sealed record EndedDelivery(Guid NotificationId, string JobId, string Reason);
}
