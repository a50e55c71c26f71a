using Dapper;
using Npgsql;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Notifications;

namespace StepUpDown.Integration.Handovers;

/// <summary>An open handover as the sweep reads it, with the step that opened it.</summary>
internal sealed record OpenHandover(
    Guid Id,
    string Source,
    string ChildId,
    bool Planned,
    DateOnly? AgreedOn,
    DateOnly StartedOn,
    int? LastStage,
    DateOnly? LastStageOn,
    DateTime OpenedAt,
    string? AgreementJson,
    string FromLevel,
    string? HeldFrom,
    DateOnly? HeldSince);

/// <summary>What the ledger and the steps say of a handover (see <see cref="HandoverStore.FlagsAsync"/>).</summary>
internal sealed record HandoverFlags(bool GpNotified, bool SteppedBackUp, bool Superseded);

/// <summary>The sweep's reads and writes of <c>stepupdown.handovers</c> that decide nothing.</summary>
internal static class HandoverStore
{
    /// <summary>The next batch of open handovers after <paramref name="after"/>, locked; those another instance holds are skipped.</summary>
    public static async Task<List<OpenHandover>> LockOpenBatchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, (DateTime OpenedAt, Guid Id) after, int batchSize) =>
        (await connection.QueryAsync<OpenHandover>(
            """
            SELECT h.id, h.source, h.child_id AS ChildId, h.planned, h.agreed_on AS AgreedOn, h.started_on AS StartedOn,
                   h.last_stage AS LastStage, h.last_stage_on AS LastStageOn, h.opened_at AS OpenedAt,
                   COALESCE(h.agreement, st.record -> 'stepDown')::text AS AgreementJson, st.from_level AS FromLevel,
                   h.held_from AS HeldFrom, h.held_since AS HeldSince
              FROM stepupdown.handovers h JOIN stepupdown.steps st ON st.id = h.id
             WHERE h.state = 'open' AND (h.opened_at, h.id) > (@OpenedAt, @Id)
             ORDER BY h.opened_at, h.id
             LIMIT @batchSize
               FOR UPDATE OF h SKIP LOCKED
            """,
            new { after.OpenedAt, after.Id, batchSize },
            transaction)).ToList();

    /// <summary>
    /// From the ledger and the steps: the GP's notice of this step down sent (the steps
    /// <see cref="NotificationRules.GpNotifiedBy"/> names, for any of the child's records, since
    /// the agreement); a step up since the handover opened; a later handover of the same record
    /// (a new agreement).
    /// </summary>
    public static Task<HandoverFlags> FlagsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, OpenHandover handover, SourceRecord[] child) =>
        connection.QuerySingleAsync<HandoverFlags>(
            """
            WITH child AS (SELECT * FROM unnest(@sources, @childIds) AS c(source, child_id))
            SELECT EXISTS (SELECT 1 FROM stepupdown.notifications n JOIN stepupdown.steps s ON s.id = n.step_id
                            WHERE n.recipient_role = @gp AND n.state = 'sent' AND s.kind = ANY(@gpNotifiedBy)
                              AND (s.source, s.child_id) IN (SELECT source, child_id FROM child)
                              AND (s.detected_at >= @OpenedAt OR s.occurred_on >= @StartedOn)) AS GpNotified,
                   EXISTS (SELECT 1 FROM stepupdown.steps s
                            WHERE s.kind = @stepUp AND s.detected_at > @OpenedAt
                              AND (s.source, s.child_id) IN (SELECT source, child_id FROM child)) AS SteppedBackUp,
                   EXISTS (SELECT 1 FROM stepupdown.handovers o
                            WHERE o.source = @Source AND o.child_id = @ChildId AND o.id <> @Id AND o.opened_at > @OpenedAt) AS Superseded
            """,
            new
            {
                gpNotifiedBy = NotificationRules.GpNotifiedBy.Select(k => k.ToString()).ToArray(),
                gp = RecipientRoles.Gp,
                stepUp = nameof(StepKind.StepUp),
                sources = child.Select(r => r.Source).ToArray(),
                childIds = child.Select(r => r.Record.ChildId).ToArray(),
                handover.OpenedAt,
                handover.StartedOn,
                handover.Source,
                handover.ChildId,
                handover.Id,
            },
            transaction);

    /// <summary>Ends a held fall: the settling window is over, and it has been told as a step down.</summary>
    public static Task ReleaseHoldAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id) =>
        connection.ExecuteAsync("UPDATE stepupdown.handovers SET held_from = NULL, held_since = NULL WHERE id = @id", new { id }, transaction);

    /// <summary>Keeps why a handover could not be reviewed (an SqlState or an exception type: no row data).</summary>
    public static Task RecordReviewErrorAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, string reason, DateTimeOffset now) =>
        connection.ExecuteAsync(
            "UPDATE stepupdown.handovers SET review_error = @reason, reviewed_at = @now WHERE id = @id",
            new { reason, now, id },
            transaction);

    /// <summary>Open handovers, and those of them stalled (a ladder stage sent).</summary>
    public static Task<(long Open, long Stalled)> CountOpenAsync(NpgsqlConnection connection) =>
        connection.QuerySingleAsync<(long, long)>(
            "SELECT count(*), count(*) FILTER (WHERE last_stage IS NOT NULL) FROM stepupdown.handovers WHERE state = 'open'");
}
