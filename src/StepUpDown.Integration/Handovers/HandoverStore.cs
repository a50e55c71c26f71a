using Dapper;
using Npgsql;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Handovers;

/// <summary>A handover to open: per agreed step down, or per unplanned one.</summary>
/// <param name="Id">The id of the step that opened it.</param>
/// <param name="ChildId">The child in the page's source.</param>
/// <param name="Planned">False for an unplanned step down.</param>
/// <param name="AgreedOn">The agreement date, if any.</param>
/// <param name="StartedOn">Working days count from here: the agreement, or the day of an unplanned fall.</param>
/// <param name="TargetLevel">The source's code of the level agreed.</param>
/// <param name="Target">The continuum code of the level agreed, where it maps.</param>
public sealed record HandoverToStore(Guid Id, string ChildId, bool Planned, DateOnly? AgreedOn, DateOnly StartedOn, string? TargetLevel, string? Target);

/// <summary>A fall below an open agreed step down's target now held (or no longer held: null).</summary>
/// <param name="HandoverId">The handover of the agreement.</param>
/// <param name="HeldFrom">The continuum code of the level the child fell from; null to release the hold.</param>
/// <param name="HeldSince">The day the fall was held.</param>
public sealed record HoldToStore(Guid HandoverId, string? HeldFrom, DateOnly? HeldSince);

/// <summary>An open agreed step down as stored: continuum codes, not levels.</summary>
public sealed record OpenAgreementRow(Guid Id, string Source, string ChildId, string? Target, string? HeldFrom);

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
    DateOnly? HeldSince,
    DateTime? AcceptedByReplyAt = null,
    DateTime? DeclinedByReplyAt = null,
    string? DeclineReason = null,
    bool DeclineTold = false,
    string? ReplyToken = null);

/// <summary>A handover as a reply to it is judged: its state, who was asked, and their answer so far.</summary>
/// <param name="Id">The handover.</param>
/// <param name="State">Open, complete or withdrawn.</param>
/// <param name="ProposedLeadEmail">The proposed lead's address as the agreement now stands.</param>
/// <param name="ReplyToken">The token of the answer kept, if any.</param>
/// <param name="Answer">The answer kept: Accept, Decline or none.</param>
internal sealed record AnswerableHandover(Guid Id, HandoverState State, string? ProposedLeadEmail, string? ReplyToken, ReplyKind? Answer);

/// <summary>What a review decided for a handover, to record on its row.</summary>
/// <param name="State">Open (waiting or escalated), withdrawn or complete.</param>
/// <param name="Missing">The checklist items still missing.</param>
/// <param name="WorkingDays">Working days so far (or the duration, once complete); null keeps the last count.</param>
/// <param name="LastStage">The highest ladder stage sent.</param>
/// <param name="StageSentOn">The day a stage was sent by this review; null when none was.</param>
/// <param name="AgreementJson">The agreement as reviewed.</param>
/// <param name="ClosedReason">Why it was withdrawn.</param>
/// <param name="DeclineTold">The managers were sent the proposed lead's decline by this review.</param>
internal sealed record HandoverReviewed(
    HandoverState State, IReadOnlyList<ChecklistItem> Missing, int? WorkingDays, int? LastStage, DateOnly? StageSentOn, string? AgreementJson, string? ClosedReason,
    bool DeclineTold = false);

/// <summary>How the handovers' <c>state</c> column spells each <see cref="HandoverState"/>: the one place the names are written.</summary>
public static class HandoverStates
{
    /// <summary>The state as the column holds it.</summary>
    public static string Column(HandoverState state) => state switch
    {
        HandoverState.Open => "open",
        HandoverState.Withdrawn => "withdrawn",
        HandoverState.Complete => "complete",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>Parses the <c>state</c> column.</summary>
    public static HandoverState Parse(string column) =>
        Enum.GetValues<HandoverState>().Single(state => Column(state) == column);

    /// <summary>The state as an SQL string literal: <c>h.state = {Sql(HandoverState.Open)}</c>.</summary>
    public static string Sql(HandoverState state) => $"'{Column(state)}'";
}

/// <summary>
/// The handover row's one owner: every write of <c>stepupdown.handovers</c> (the retention
/// purge's deletes aside) and the reads the poller and the sweep decide by. The poller opens
/// handovers and holds falls through it, the sweep reviews and closes them; the dashboard page,
/// the digest and the reports read the rows for themselves, with the state names from <see cref="HandoverStates"/>.
/// An instance reads and writes in one <see cref="UnitOfWork"/>.
/// </summary>
public sealed class HandoverStore(UnitOfWork work)
{
    /// <summary>
    /// Opens the handovers a page's steps opened (one already open is left as it is) and records
    /// falls held, or released, on open agreements, in the page's transaction.
    /// </summary>
    public async Task OpenAsync(string source, IReadOnlyList<HandoverToStore> handovers, IReadOnlyList<HoldToStore> holds)
    {
        ArgumentNullException.ThrowIfNull(handovers);
        ArgumentNullException.ThrowIfNull(holds);
        await work.ExecuteAsync(
            $"""
            INSERT INTO stepupdown.handovers (id, source, child_id, planned, agreed_on, started_on, target_level, target, opened_at)
            SELECT h.id, @source, h.child_id, h.planned, h.agreed_on, h.started_on, h.target_level, h.target, @now
            FROM unnest(@ids, @childIds, @planned, @agreedOn, @startedOn, @targetLevels, @targets)
                 AS h(id, child_id, planned, agreed_on, started_on, target_level, target)
            ON CONFLICT (id) DO NOTHING;

            UPDATE stepupdown.handovers h SET held_from = u.held_from, held_since = u.held_since
              FROM unnest(@holdIds, @heldFrom, @heldSince) AS u(id, held_from, held_since)
             WHERE h.id = u.id AND h.state = {HandoverStates.Sql(HandoverState.Open)};
            """,
            new
            {
                source,
                now = work.Now,
                ids = handovers.Select(h => h.Id).ToArray(),
                childIds = handovers.Select(h => h.ChildId).ToArray(),
                planned = handovers.Select(h => h.Planned).ToArray(),
                agreedOn = handovers.Select(h => h.AgreedOn).ToArray(),
                startedOn = handovers.Select(h => h.StartedOn).ToArray(),
                targetLevels = handovers.Select(h => h.TargetLevel).ToArray(),
                targets = handovers.Select(h => h.Target).ToArray(),
                holdIds = holds.Select(h => h.HandoverId).ToArray(),
                heldFrom = holds.Select(h => h.HeldFrom).ToArray(),
                heldSince = holds.Select(h => h.HeldSince).ToArray(),
            });
    }

    /// <summary>The open agreed step downs of these (source, child id) records.</summary>
    public async Task<IReadOnlyList<OpenAgreementRow>> OpenAgreementsAsync(string[] sources, string[] childIds) =>
        await work.QueryAsync<OpenAgreementRow>(
            $"""
            SELECT h.id, h.source, h.child_id AS ChildId, h.target, h.held_from AS HeldFrom
              FROM stepupdown.handovers h
             WHERE h.state = {HandoverStates.Sql(HandoverState.Open)} AND h.planned AND (h.source, h.child_id) IN (SELECT * FROM unnest(@sources, @childIds))
            """,
            new { sources, childIds });

    /// <summary>The next batch of open handovers after <paramref name="after"/>, locked; those another instance holds are skipped.</summary>
    internal Task<List<OpenHandover>> LockOpenBatchAsync((DateTime OpenedAt, Guid Id) after, int batchSize) =>
        work.QueryAsync<OpenHandover>(
            $"""
            SELECT h.id, h.source, h.child_id AS ChildId, h.planned, h.agreed_on AS AgreedOn, h.started_on AS StartedOn,
                   h.last_stage AS LastStage, h.last_stage_on AS LastStageOn, h.opened_at AS OpenedAt,
                   COALESCE(h.agreement, st.record -> 'stepDown')::text AS AgreementJson, st.from_level AS FromLevel,
                   h.held_from AS HeldFrom, h.held_since AS HeldSince, h.accepted_by_reply_at AS AcceptedByReplyAt,
                   h.declined_by_reply_at AS DeclinedByReplyAt, h.decline_reason AS DeclineReason, h.decline_told AS DeclineTold, h.reply_token AS ReplyToken
              FROM stepupdown.handovers h JOIN stepupdown.steps st ON st.id = h.id
             WHERE h.state = {HandoverStates.Sql(HandoverState.Open)} AND (h.opened_at, h.id) > (@OpenedAt, @Id)
             ORDER BY h.opened_at, h.id
             LIMIT @batchSize
               FOR UPDATE OF h SKIP LOCKED
            """,
            new { after.OpenedAt, after.Id, batchSize });

    /// <summary>What is on record of a handover's child: its records' steps, those told to the GP, and the other handovers of its own record.</summary>
    internal async Task<HandoverHistory> HistoryAsync(OpenHandover handover, SourceRecord[] child)
    {
        var sources = child.Select(r => r.Source).ToArray();
        var childIds = child.Select(r => r.Record.ChildId).ToArray();
        var openings = await work.QueryAsync<DateTime>(
            "SELECT opened_at FROM stepupdown.handovers WHERE source = @Source AND child_id = @ChildId AND id <> @Id",
            new { handover.Source, handover.ChildId, handover.Id });
        return new HandoverHistory(
            await new StepStore(work).StepsOfAsync(sources, childIds),
            await NotificationLedger.StepsToldToGpAsync(work, sources, childIds),
            openings);
    }

    /// <summary>Records what a review decided; a row no longer open keeps when and why it closed.</summary>
    internal Task RecordReviewAsync(Guid id, HandoverReviewed review) =>
        work.ExecuteAsync(
            $"""
            UPDATE stepupdown.handovers
               SET state = @state, missing = @missing, working_days = COALESCE(@WorkingDays, working_days), last_stage = @LastStage,
                   last_stage_on = COALESCE(@StageSentOn::date, last_stage_on),
                   agreement = @AgreementJson::jsonb, reviewed_at = @now, review_error = NULL,
                   closed_at = CASE WHEN @state = {HandoverStates.Sql(HandoverState.Open)} THEN NULL ELSE @now END, closed_reason = @ClosedReason,
                   decline_told = decline_told OR @DeclineTold
             WHERE id = @id
            """,
            new
            {
                state = HandoverStates.Column(review.State),
                missing = review.Missing.Select(m => m.ToString()).ToArray(),
                review.WorkingDays,
                review.LastStage,
                review.AgreementJson,
                now = work.Now,
                review.ClosedReason,
                review.DeclineTold,
                review.StageSentOn,
                id,
            });

    /// <summary>A handover a reply names, locked while the reply is recorded; null when there is none.</summary>
    internal async Task<AnswerableHandover?> AnswerableAsync(Guid id)
    {
        var rows = await work.QueryAsync<(Guid Id, string State, string? Email, string? Token, bool Accepted, bool Declined)>(
            """
            SELECT h.id, h.state, COALESCE(h.agreement, st.record -> 'stepDown') -> 'proposedLeadProfessional' ->> 'email', h.reply_token,
                   h.accepted_by_reply_at IS NOT NULL, h.declined_by_reply_at IS NOT NULL
              FROM stepupdown.handovers h JOIN stepupdown.steps st ON st.id = h.id
             WHERE h.id = @id
               FOR UPDATE OF h
            """,
            new { id });
        if (rows is not [var row])
        {
            return null;
        }

        return new AnswerableHandover(row.Id, HandoverStates.Parse(row.State), row.Email, row.Token, row.Accepted ? ReplyKind.Accept : row.Declined ? ReplyKind.Decline : null);
    }

    /// <summary>Keeps the proposed lead's answer by reply on its handover (the latest answer replaces any other); the sweep acts on it.</summary>
    internal Task RecordAnswerAsync(Guid id, ReplyReading reading, string token) =>
        work.ExecuteAsync(
            """
            UPDATE stepupdown.handovers
               SET accepted_by_reply_at = CASE WHEN @accepted THEN @now END,
                   declined_by_reply_at = CASE WHEN @accepted THEN NULL ELSE @now END,
                   decline_reason = CASE WHEN @accepted THEN NULL ELSE @reason END,
                   decline_told = false, reply_token = @token
             WHERE id = @id
            """,
            new { id, accepted = reading.Kind == ReplyKind.Accept, now = work.Now, reason = reading.Reason ?? "", token });

    /// <summary>Ends a held fall: the settling window is over, and it has been told as a step down.</summary>
    internal Task ReleaseHoldAsync(Guid id) =>
        work.ExecuteAsync("UPDATE stepupdown.handovers SET held_from = NULL, held_since = NULL WHERE id = @id", new { id });

    /// <summary>Keeps why a handover could not be reviewed (an SqlState or an exception type: no row data).</summary>
    internal Task RecordReviewErrorAsync(Guid id, string reason) =>
        work.ExecuteAsync(
            "UPDATE stepupdown.handovers SET review_error = @reason, reviewed_at = @now WHERE id = @id",
            new { reason, now = work.Now, id });

    /// <summary>Open handovers, and those of them stalled (a ladder stage sent).</summary>
    public static Task<(long Open, long Stalled)> CountOpenAsync(NpgsqlConnection connection) =>
        connection.QuerySingleAsync<(long, long)>(
            $"SELECT count(*), count(*) FILTER (WHERE last_stage IS NOT NULL) FROM stepupdown.handovers WHERE state = {HandoverStates.Sql(HandoverState.Open)}");
}
