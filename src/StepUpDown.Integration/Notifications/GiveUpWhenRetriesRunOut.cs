using Dapper;
using Hangfire.States;
using Npgsql;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// When a <see cref="SendNotificationJob"/> fails for good (its transient retries ran out), its
/// ledger row must not stay <c>pending</c> for ever with nobody told: the row becomes
/// <c>failed</c> with its last reason and the MASSH is asked to make sure the recipient is told,
/// as for a permanent failure. Registered after Hangfire's retry filter (<see cref="Order"/>), so it
/// sees its decision; a row already failed, sent or withheld is left as it is.
/// </summary>
public sealed class GiveUpWhenRetriesRunOut(NpgsqlDataSource dataSource, NotificationPlanner planner, INotificationDispatcher dispatcher, TimeProvider time)
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

        GiveUpAsync(notificationId, failed.Exception?.GetType().Name ?? "unknown").GetAwaiter().GetResult();
    }

    private async Task GiveUpAsync(Guid notificationId, string lastFailure)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<(Guid StepId, string Role)?>(
            """
            UPDATE stepupdown.notifications
               SET state = 'failed', sending_since = NULL,
                   last_error = 'Gave up: retries ran out (' || @lastFailure || '). Last: ' || COALESCE(last_error, 'none')
             WHERE id = @notificationId AND state IN ('pending', 'sending')
            RETURNING step_id, recipient_role
            """,
            new { notificationId, lastFailure },
            transaction);
        if (row is { } given && !Domain.Notifications.RecipientRoles.IsMassh(given.Role))
        {
            await Ledger.AddNotificationsAsync(connection, transaction, [planner.Undelivered(given.StepId, given.Role)], time.GetUtcNow());
        }

        await transaction.CommitAsync();
        if (row is { } told && !Domain.Notifications.RecipientRoles.IsMassh(told.Role))
        {
            dispatcher.ScheduleDispatch();
        }
    }
}
