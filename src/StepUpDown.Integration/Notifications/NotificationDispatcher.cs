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
/// not pay Hangfire's per-job cost. Rows are claimed (<c>enqueued_at</c> set, <c>SKIP LOCKED</c>)
/// and the claim committed before their jobs are enqueued, so a delivery job never waits for the
/// rest of its batch to be enqueued. A claim whose jobs a crash never enqueued is claimed again
/// once it is <see cref="StaleAfter"/> old and still untried, by the minutely run of the same
/// dispatch; a row enqueued twice that way is still sent once (the ledger).
/// </summary>
public sealed class NotificationDispatcher(IBackgroundJobClient jobs, NpgsqlDataSource dataSource, TimeProvider time) : INotificationDispatcher
{
    /// <summary>How long an untried claim waits for its job before it is claimed again.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(15);

    private const int BatchSize = 500;

    /// <inheritdoc />
    public void ScheduleDispatch() => jobs.Enqueue<DispatchNotificationsJob>(job => job.ExecuteAsync(CancellationToken.None));

    /// <summary>Enqueues a delivery job for every pending row not yet enqueued; returns how many.</summary>
    public async Task<int> DispatchPendingAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var now = time.GetUtcNow();
            List<Guid> claimed;
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            {
                claimed = (await connection.QueryAsync<Guid>(
                    """
                    UPDATE stepupdown.notifications SET enqueued_at = @now
                     WHERE id IN (SELECT id FROM stepupdown.notifications
                                   WHERE state = 'pending' AND attempts = 0 AND (enqueued_at IS NULL OR enqueued_at < @stale)
                                   ORDER BY created_at
                                   LIMIT @BatchSize
                                     FOR UPDATE SKIP LOCKED)
                    RETURNING id
                    """,
                    new { now, stale = now - StaleAfter, BatchSize })).AsList();
            }

            foreach (var id in claimed)
            {
                jobs.Enqueue<SendNotificationJob>(job => job.ExecuteAsync(id, CancellationToken.None));
            }

            total += claimed.Count;
            if (claimed.Count < BatchSize)
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
