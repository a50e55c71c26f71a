using Dapper;
using Npgsql;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// The ledger's reads for its neighbours (the oldest undelivered, what reached a child's GP) and the weekly digests' record of who was
/// sent this week's.
/// </summary>
public sealed partial class NotificationLedger
{
    /// <summary>The steps of these (source, child id) records whose notice to the child's GP was sent.</summary>
    public static async Task<IReadOnlyList<StoredStep>> StepsToldToGpAsync(UnitOfWork work, string[] sources, string[] childIds)
    {
        ArgumentNullException.ThrowIfNull(work);
        return await work.QueryAsync<StoredStep>(
            $"""
            SELECT s.kind, s.detected_at AS DetectedAt, s.occurred_on AS OccurredOn
              FROM stepupdown.notifications n JOIN stepupdown.steps s ON s.id = n.step_id
             WHERE n.recipient_role = '{RecipientRoles.Gp}' AND n.state = {NotificationStates.Sql(NotificationState.Sent)}
               AND (s.source, s.child_id) IN (SELECT * FROM unnest(@sources, @childIds))
            """,
            new { sources, childIds });
    }

    /// <summary>How many notices are failed and not marked dealt with: the dashboard menu's figure beside Notifications.</summary>
    public static long CountFailed(NpgsqlConnection connection) =>
        connection.ExecuteScalar<long>($"SELECT count(*) FROM stepupdown.notifications WHERE {FailedNotDealtWith}");

    /// <summary>A pending notice waiting for its next attempt (after a failure, or for the relay): not due yet.</summary>
    internal static readonly string Waiting = $"state = {NotificationStates.Sql(NotificationState.Pending)} AND next_attempt_at > now()";

    /// <summary>A row whose next attempt, if it has one, has come.</summary>
    internal const string Due = "(next_attempt_at IS NULL OR next_attempt_at <= now())";

    /// <summary>A failed notice an admin has not marked dealt with (a retried one that failed again counts again).</summary>
    internal static readonly string FailedNotDealtWith =
        $"state = {NotificationStates.Sql(NotificationState.Failed)} AND action IS DISTINCT FROM '{DealtWith}'";

    /// <summary>The action that marks a failed notice dealt with.</summary>
    internal const string DealtWith = "dealt with";

    /// <summary>When the oldest notice not yet delivered (pending or sending) was added; null when every one is.</summary>
    public async Task<DateTime?> OldestUndeliveredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<DateTime?>($"SELECT min(created_at) FROM stepupdown.notifications WHERE state IN ({NotificationStates.Sql(NotificationStates.Undelivered)})");
    }
}
