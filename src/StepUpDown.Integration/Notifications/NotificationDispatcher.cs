using Dapper;
using Hangfire;
using Npgsql;

namespace StepUpDown.Integration.Notifications;

/// <summary>Starts delivery of ledger rows once they are committed.</summary>
public interface INotificationDispatcher
{
    /// <summary>Asks for the pending ledger rows to be handed to delivery jobs soon.</summary>
    void ScheduleDispatch();
}

/// <summary>
/// Hands committed ledger rows to delivery jobs: one Hangfire job per (step, recipient), carrying
/// only the notification id. The poll path only schedules one dispatch per page, so detection does
/// not pay Hangfire's per-job cost; a minutely run of the same dispatch picks up anything a crash
/// left behind. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so instances share the work;
/// a row enqueued twice after a crash is still sent once (the ledger).
/// </summary>
public sealed class NotificationDispatcher(IBackgroundJobClient jobs, NpgsqlDataSource dataSource, TimeProvider time) : INotificationDispatcher
{
    private const int BatchSize = 500;

    /// <inheritdoc />
    public void ScheduleDispatch() => jobs.Enqueue<DispatchNotificationsJob>(job => job.ExecuteAsync(CancellationToken.None));

    /// <summary>Enqueues a delivery job for every pending row not yet enqueued; returns how many.</summary>
    public async Task<int> DispatchPendingAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var claimed = (await connection.QueryAsync<Guid>(
                """
                SELECT id FROM stepupdown.notifications
                 WHERE state = 'pending' AND enqueued_at IS NULL
                 ORDER BY created_at
                 LIMIT @BatchSize
                   FOR UPDATE SKIP LOCKED
                """,
                new { BatchSize },
                transaction)).ToArray();
            foreach (var id in claimed)
            {
                jobs.Enqueue<SendNotificationJob>(job => job.ExecuteAsync(id, CancellationToken.None));
            }

            await connection.ExecuteAsync(
                "UPDATE stepupdown.notifications SET enqueued_at = @now WHERE id = ANY(@claimed)",
                new { now = time.GetUtcNow(), claimed },
                transaction);
            await transaction.CommitAsync(cancellationToken);
            total += claimed.Length;
            if (claimed.Length < BatchSize)
            {
                return total;
            }
        }
    }
}

/// <summary>Hands pending ledger rows to delivery jobs (scheduled per page, and minutely as a safety net).</summary>
public sealed class DispatchNotificationsJob(NotificationDispatcher dispatcher)
{
    /// <summary>The recurring job id of the safety net.</summary>
    public const string RecurringJobId = "dispatch-notifications";

    /// <summary>Enqueues the pending rows.</summary>
    public Task ExecuteAsync(CancellationToken cancellationToken) => dispatcher.DispatchPendingAsync(cancellationToken);
}
