using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// One ledger row's own Hangfire job (one step, one recipient), created by the dispatch when the
/// row's first attempt failed. Transient failures are retried by Hangfire with its backoff
/// (<c>Notifications:MaxAttempts</c>, <see cref="DeliveryRetryPolicy"/>); permanent ones fail at
/// once and stay visible on the dashboard, where an admin can retry them.
/// </summary>
public sealed class SendNotificationJob(NotificationDelivery delivery, INotificationDispatcher dispatcher)
{
    /// <summary>Delivers notification <paramref name="notificationId"/> unless the ledger says it is done; throws when it is not done.</summary>
    public Task ExecuteAsync(Guid notificationId, CancellationToken cancellationToken) =>
        DatabaseErrors.GuardAsync(async () =>
        {
            var outcome = await delivery.DeliverAsync(notificationId, cancellationToken);
            if (outcome.NoticeAdded)
            {
                dispatcher.ScheduleDispatch();
            }

            outcome.ThrowUnlessDone(notificationId);
        });
}

/// <summary>
/// The retry policy of <see cref="SendNotificationJob"/>, beside it: transient failures are retried
/// <c>Notifications:MaxAttempts</c> times with Hangfire's backoff, a
/// <see cref="PermanentDeliveryException"/> fails at once, and a job out of retries stays Failed
/// (where <see cref="GiveUpWhenRetriesRunOut"/> finds it). An attribute cannot read configuration,
/// so the policy is a filter provider that the host's Hangfire server asks (registered by
/// <c>AddNotifications</c>, per host: nothing process-wide); it speaks for this job only, at the
/// job's own scope, so Hangfire's default retry filter does not apply to it as well.
/// </summary>
public sealed class DeliveryRetryPolicy(IOptions<NotificationOptions> options) : IJobFilterProvider
{
    private readonly JobFilter[] _filters =
    [
        new(
            new AutomaticRetryAttribute
            {
                Attempts = options.Value.MaxAttempts,
                ExceptOn = [typeof(PermanentDeliveryException)],
                OnAttemptsExceeded = AttemptsExceededAction.Fail,
            },
            JobFilterScope.Type,
            null),
    ];

    /// <inheritdoc />
    public IEnumerable<JobFilter> GetFilters(Job job) => job?.Type == typeof(SendNotificationJob) ? _filters : [];
}
