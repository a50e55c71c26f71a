using Hangfire;

namespace StepUpDown.Integration.Notifications;

/// <summary>Schedules a <see cref="DispatchNotificationsJob"/>: the poll path pays for one job per page, not one per row.</summary>
public sealed class DispatchJobScheduler(IBackgroundJobClient jobs) : INotificationDispatcher
{
    /// <inheritdoc />
    public void ScheduleDispatch() => jobs.Enqueue<DispatchNotificationsJob>(job => job.ExecuteAsync(CancellationToken.None));
}
