using Dapper;
using Hangfire;
using Npgsql;

namespace StepUpDown.Integration.Notifications;

/// <summary>Starts delivery of ledger rows that were just committed.</summary>
public interface INotificationDispatcher
{
    /// <summary>Enqueues one delivery job per notification and records that it was enqueued.</summary>
    Task EnqueueAsync(IReadOnlyCollection<Guid> notificationIds, CancellationToken cancellationToken);
}

/// <summary>
/// One Hangfire job per (step, recipient), carrying only the notification id. Rows committed
/// but never enqueued (a crash in between) are picked up by <see cref="EnqueueStrandedAsync"/>.
/// </summary>
public sealed class HangfireNotificationDispatcher(IBackgroundJobClient jobs, NpgsqlDataSource dataSource, TimeProvider time) : INotificationDispatcher
{
    /// <inheritdoc />
    public async Task EnqueueAsync(IReadOnlyCollection<Guid> notificationIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notificationIds);
        if (notificationIds.Count == 0)
        {
            return;
        }

        foreach (var id in notificationIds)
        {
            jobs.Enqueue<SendNotificationJob>(job => job.ExecuteAsync(id, CancellationToken.None));
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE stepupdown.notifications SET enqueued_at = @now WHERE id = ANY(@ids)",
            new { now = time.GetUtcNow(), ids = notificationIds.ToArray() });
    }

    /// <summary>Enqueues pending notifications that were committed over a minute ago and never enqueued.</summary>
    public async Task<int> EnqueueStrandedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var stranded = (await connection.QueryAsync<Guid>(
            "SELECT id FROM stepupdown.notifications WHERE state = 'pending' AND enqueued_at IS NULL AND created_at < @before",
            new { before = time.GetUtcNow().AddMinutes(-1) })).ToList();
        await EnqueueAsync(stranded, cancellationToken);
        return stranded.Count;
    }
}
