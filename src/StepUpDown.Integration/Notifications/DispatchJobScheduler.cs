using Hangfire;
using StepUpDown.Domain.Notifications;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Telemetry;

namespace StepUpDown.Integration.Notifications;

/// <summary>Schedules a <see cref="DispatchNotificationsJob"/>: the poll path pays for one job per page, not one per row.</summary>
public sealed class DispatchJobScheduler(IBackgroundJobClient jobs) : INotificationDispatcher
{
    /// <inheritdoc />
    public void ScheduleDispatch() => jobs.Enqueue<DispatchNotificationsJob>(job => job.ExecuteAsync(CancellationToken.None));
}
