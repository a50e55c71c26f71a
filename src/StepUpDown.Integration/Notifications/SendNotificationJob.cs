using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// One ledger row's own Hangfire job (one step, one recipient), created by the dispatch when the
/// row's first attempt failed. Transient failures are retried by Hangfire with its backoff
/// (<c>Notifications:MaxAttempts</c>, see the worker's retry filter); permanent ones fail at once
/// and stay visible on the dashboard, where an admin can retry them.
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
