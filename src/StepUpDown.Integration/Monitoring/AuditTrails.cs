using Dapper;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.ChildRecords;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Monitoring;

/// <summary>
/// "What happened to this child": every step of the child's linked records, every notice of
/// those steps (by recipient role), every handover with what its checklist still lacks, and every
/// lookup of the child's lead (who asked, when), in order. Ids, codes, roles and dates only: the case systems hold the rest.
/// </summary>
/// <param name="Records">The child's records: source, id, level, open.</param>
/// <param name="Events">Steps, notices and handovers, oldest first.</param>
/// <param name="Handovers">The child's handovers.</param>
public sealed record AuditTrail(IReadOnlyList<AuditRecord> Records, IReadOnlyList<AuditEvent> Events, IReadOnlyList<AuditHandover> Handovers);

/// <summary>One of the child's records.</summary>
/// <param name="Source">The case system.</param>
/// <param name="ChildId">The child's id there.</param>
/// <param name="Level">The record's level code.</param>
/// <param name="Open">False once the record is closed, or when the worker holds no record (only steps).</param>
public sealed record AuditRecord(string Source, string ChildId, string Level, bool Open);

/// <summary>A line of the trail.</summary>
/// <param name="At">When the worker recorded it (UTC; the page shows it on the council's clock).</param>
/// <param name="Reference">The step's notice reference, as every recipient's copy carries it.</param>
/// <param name="Source">The case system.</param>
/// <param name="ChildId">The child's id there.</param>
/// <param name="What">The step (kind, levels, markers, date), or the notice (role, template), or the handover.</param>
/// <param name="State">A notice's ledger state and attempts; a handover's state; empty for a step.</param>
public sealed record AuditEvent(DateTime At, string Reference, string Source, string ChildId, string What, string State);

/// <summary>A handover of the child.</summary>
/// <param name="Reference">The reference of the step that opened it.</param>
/// <param name="Source">The case system.</param>
/// <param name="ChildId">The child's id there.</param>
/// <param name="Planned">Agreed, or an unplanned fall.</param>
/// <param name="State">open, complete or withdrawn.</param>
/// <param name="StartedOn">Working days count from here.</param>
/// <param name="WorkingDays">Its length so far, or in all once complete.</param>
/// <param name="Missing">The checklist items it still lacks, comma-separated (empty once complete).</param>
/// <param name="LastStage">The highest ladder stage sent (0 = the first); null when none.</param>
/// <param name="ClosedReason">Why it was withdrawn, where it was.</param>
public sealed record AuditHandover(
    string Reference, string Source, string ChildId, bool Planned, string State, DateOnly StartedOn, int? WorkingDays, string Missing, int? LastStage, string? ClosedReason);

/// <summary>Builds a child's <see cref="AuditTrail"/>.</summary>
public sealed class AuditTrails(NpgsqlDataSource dataSource, ContinuumOfNeed continuum)
{
    /// <summary>The notice reference of a step (or of the handover it opened): the first 12 hex digits of its id, as <see cref="Mail.Notice.ReferenceOf"/> writes it.</summary>
    /// <summary>
    /// How long a sent notice waits for a report of failure before the trail says none came: relays
    /// give up on a message after five days (Postfix's <c>maximal_queue_lifetime</c>, Exchange's expiry).
    /// </summary>
    private const int NoReportAfterDays = 5;

    private static string ReferenceOf(string idColumn) => $"upper(substr(replace({idColumn}::text, '-', ''), 1, 12))";

    /// <summary>The trail of the child of one record, or of the step a notice reference names; null when nothing matches.</summary>
    public async Task<AuditTrail?> FindAsync(string? source, string? childId, string? reference, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var work = await UnitOfWork.BeginReadingAsync(connection, cancellationToken);
        if (reference is not null)
        {
            var step = await connection.QueryFirstOrDefaultAsync<(string Source, string ChildId)?>(
                $"SELECT source, child_id FROM stepupdown.steps WHERE {ReferenceOf("id")} = upper(@reference)",
                new { reference = reference.Trim() },
                work.Transaction);
            (source, childId) = step is { } found ? (found.Source, found.ChildId) : (null, null);
        }

        if (source is null || childId is null)
        {
            return null;
        }

        var search = await ChildLinks.FindAsync(work, continuum, source, childId, null);
        var records = search.Records.Select(r => new AuditRecord(r.Row.Source, r.Row.ChildId, r.Row.LevelCode, !r.Record.IsClosed)).ToList();
        if (records.Count == 0)
        {
            // The record is gone (erased, or past retention) but steps may remain.
            records.Add(new AuditRecord(source, childId, "not held", false));
        }

        var children = new { sources = records.Select(r => r.Source).ToArray(), childIds = records.Select(r => r.ChildId).ToArray() };
        var events = await work.QueryAsync<AuditEvent>(
            $"""
            WITH children AS (SELECT * FROM unnest(@sources, @childIds) AS c(source, child_id)),
                 child_steps AS (SELECT s.* FROM stepupdown.steps s JOIN children USING (source, child_id))
            SELECT s.detected_at AS At, {ReferenceOf("s.id")} AS Reference, s.source, s.child_id AS ChildId,
                   'step: ' || s.kind || ' ' || s.from_level || ' -> ' || s.to_level
                       || CASE WHEN cardinality(s.markers) > 0 THEN ' [' || array_to_string(s.markers, ', ') || ']' ELSE '' END
                       || COALESCE(' on ' || s.occurred_on, '') AS What,
                   '' AS State
              FROM child_steps s
            UNION ALL
            SELECT COALESCE(n.sent_at, n.created_at), {ReferenceOf("s.id")}, s.source, s.child_id,
                   'notice to ' || n.recipient_role || COALESCE(' (' || n.template || ')', ''),
                   n.state || ' after ' || n.attempts || ' attempt(s)' || COALESCE(', queued ' || to_char(n.created_at, 'YYYY-MM-DD HH24:MI'), '')
                       || CASE n.state
                              WHEN {NotificationStates.Sql(NotificationState.Sent)} THEN '; accepted by the relay'
                                  || COALESCE(', delayed (' || COALESCE(n.report_status, 'no code') || ') ' || to_char(n.delayed_at, 'YYYY-MM-DD HH24:MI'), '')
                                  || CASE WHEN n.sent_at < now() - make_interval(days => {NoReportAfterDays}) THEN ', no report of failure in {NoReportAfterDays} days' ELSE ', no report yet' END
                              WHEN {NotificationStates.Sql(NotificationState.Bounced)} THEN '; bounced (' || COALESCE(n.report_status, 'no code') || ') ' || to_char(n.bounced_at, 'YYYY-MM-DD HH24:MI')
                              ELSE '' END
              FROM stepupdown.notifications n JOIN child_steps s ON s.id = n.step_id
            UNION ALL
            SELECT h.opened_at, {ReferenceOf("h.id")}, h.source, h.child_id,
                   'handover opened (' || CASE WHEN h.planned THEN 'agreed' ELSE 'unplanned' END || ')', h.state
              FROM stepupdown.handovers h JOIN children USING (source, child_id)
            UNION ALL
            SELECT h.closed_at, {ReferenceOf("h.id")}, h.source, h.child_id, 'handover closed', h.state || COALESCE(': ' || h.closed_reason, '')
                       || CASE WHEN h.state = {HandoverStates.Sql(HandoverState.Complete)} AND h.accepted_by_reply_at IS NOT NULL
                               THEN '; the case system recorded the acceptance given by reply ' || to_char(h.accepted_by_reply_at, 'YYYY-MM-DD HH24:MI') ELSE '' END
              FROM stepupdown.handovers h JOIN children USING (source, child_id) WHERE h.closed_at IS NOT NULL
            UNION ALL
            SELECT r.received_at, {ReferenceOf("h.id")}, h.source, h.child_id,
                   'reply from ' || CASE WHEN r.from_proposed_lead THEN 'the proposed lead' ELSE 'another address at ' || COALESCE(r.sender_domain, 'no domain') END || ': ' || r.kind,
                   r.outcome || COALESCE('; dealt with by ' || r.dealt_with_by || ' ' || to_char(r.dealt_with_at, 'YYYY-MM-DD HH24:MI'), '')
              FROM stepupdown.handover_replies r JOIN stepupdown.handovers h ON h.id = r.handover_id JOIN children USING (source, child_id)
            UNION ALL
            SELECT l.looked_up_at, '', l.source, l.child_id, 'lead looked up by ' || l.caller, CASE WHEN l.answered THEN 'answered' ELSE 'not found' END
              FROM stepupdown.lookups l JOIN children USING (source, child_id)
            ORDER BY 1, 2, 5
            """,
            children);
        var handovers = await work.QueryAsync<AuditHandover>(
            $"""
            SELECT {ReferenceOf("h.id")} AS Reference, h.source, h.child_id AS ChildId, h.planned, h.state, h.started_on AS StartedOn,
                   h.working_days AS WorkingDays, array_to_string(h.missing, ', ') AS Missing, h.last_stage AS LastStage, h.closed_reason AS ClosedReason
              FROM stepupdown.handovers h JOIN unnest(@sources, @childIds) AS c(source, child_id) USING (source, child_id)
             ORDER BY h.opened_at
            """,
            children);
        await work.CommitAsync(cancellationToken);
        return new AuditTrail(records, events, handovers);
    }
}
