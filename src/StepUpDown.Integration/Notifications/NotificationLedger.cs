using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// The delivery ledger, <c>stepupdown.notifications</c>: one row per (step, recipient role), and
/// every statement that moves one. A row is <c>pending</c> until an attempt marks it
/// <c>sending</c>, then <c>sent</c>, <c>written</c>, <c>withheld</c> or <c>failed</c> (or
/// <c>pending</c> again, due at <c>next_attempt_at</c>, with its <c>failure_kind</c>). The row is
/// the notice's only state machine: no notice is a job of its own. Who may work on a row: a
/// dispatch's claim (<c>claimed_by</c>, this instance's <see cref="InstanceLease"/>), let go when
/// the attempt's outcome is recorded. An attempt that marks a row sending
/// stamps it with a token of its own and writes nothing after that unless the token is still
/// there (fencing). Technical timeouts (a stale claim, an attempt cut off) are measured on the
/// database's clock, never on the business clock (<c>Clock:Speed</c>) or an instance's own.
/// </summary>
public sealed partial class NotificationLedger(NpgsqlDataSource dataSource, InstanceLease lease, TimeProvider time, ILogger<NotificationLedger> logger)
{
    /// <summary>
    /// Adds the rows not already there, as pending, in <paramref name="work"/> (a page's, a sweep
    /// batch's, an attempt's): rows are keyed deterministically.
    /// </summary>
    /// <returns>The ids of the rows added.</returns>
    public static async Task<IReadOnlyList<Guid>> AddAsync(UnitOfWork work, IReadOnlyList<NotificationToStore> notifications)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(notifications);
        return await work.QueryAsync<Guid>(
            $"""
            INSERT INTO stepupdown.notifications (id, step_id, recipient_role, state, message_id, template, created_at)
            SELECT n.id, n.step_id, n.role, {NotificationStates.Sql(NotificationState.Pending)}, n.message_id, n.template, @now
            FROM unnest(@ids, @stepIds, @roles, @messageIds, @templates) AS n(id, step_id, role, message_id, template)
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            new
            {
                now = work.Now,
                ids = notifications.Select(n => n.Id).ToArray(),
                stepIds = notifications.Select(n => n.StepId).ToArray(),
                roles = notifications.Select(n => n.RecipientRole).ToArray(),
                messageIds = notifications.Select(n => n.MessageId).ToArray(),
                templates = notifications.Select(n => n.Template).ToArray(),
            });
    }

    /// <summary>
    /// Claims for this instance, oldest first, up to <paramref name="batchSize"/> undelivered rows
    /// that are due (pending with no next attempt or one that has come, or sending: an attempt cut
    /// off) and no one else may be working on: unclaimed, claimed longer than
    /// <paramref name="staleAfter"/> ago, claimed by an instance whose lease lapsed, or claimed by
    /// this one but not in <paramref name="working"/> (left by a dispatch of this process that failed).
    /// A row another live instance marked sending less than <paramref name="attemptTimeout"/> ago is
    /// that instance's attempt, still under way: not claimed (its claim may have gone stale on a slow relay).
    /// </summary>
    public async Task<List<Guid>> ClaimAsync(
        int batchSize, IReadOnlyCollection<Guid> working, TimeSpan staleAfter, TimeSpan attemptTimeout, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Guid>(
            $"""
            UPDATE stepupdown.notifications SET claimed_at = now(), claimed_by = @holder
             WHERE id IN (SELECT id FROM stepupdown.notifications
                           WHERE state IN ({NotificationStates.Sql(NotificationStates.Undelivered)})
                             AND (state = {NotificationStates.Sql(NotificationState.Sending)} OR {Due})
                             AND NOT COALESCE(state = {NotificationStates.Sql(NotificationState.Sending)} AND sending_by <> @holder
                                              AND sending_since > now() - @attemptTimeout AND {InstanceLease.IsAliveSql("sending_by")}, false)
                             AND (claimed_at IS NULL OR claimed_at < now() - @staleAfter OR NOT {InstanceLease.IsAliveSql("claimed_by")}
                                  OR (claimed_by = @holder AND NOT (id = ANY(@working))))
                           ORDER BY created_at
                           LIMIT @batchSize
                             FOR UPDATE SKIP LOCKED)
            RETURNING id
            """,
            new { staleAfter, attemptTimeout, batchSize, holder = lease.Id, aliveFor = lease.AliveFor, working = working.ToArray() })).AsList();
    }

    /// <summary>Frees the claims of rows not delivered: they are any dispatch's again.</summary>
    public async Task ReleaseAsync(IReadOnlyList<Guid> claimed)
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            $"UPDATE stepupdown.notifications SET claimed_at = NULL, claimed_by = NULL WHERE id = ANY(@claimed) AND claimed_by = @holder AND state IN ({NotificationStates.Sql(NotificationStates.Undelivered)})",
            new { claimed = claimed.ToArray(), holder = lease.Id });
    }

    /// <summary>
    /// The relay was not reached by an attempt of this dispatch: every due row not yet tried (the
    /// batch's, and any no one has claimed) waits for the relay as if it had been (<c>not-reached</c>,
    /// due after <paramref name="delay"/>, no attempt counted), so an outage costs one attempt per
    /// dispatch, not one per waiting notice, and the Notifications page shows them waiting.
    /// </summary>
    public async Task DeferUntriedAsync(IReadOnlyList<Guid> claimed, TimeSpan delay)
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            $"""
            UPDATE stepupdown.notifications
               SET failure_kind = {NotificationStates.Sql(DeliveryFailureKind.NotReached)}, next_attempt_at = now() + make_interval(secs => @seconds),
                   last_error = COALESCE(last_error, 'Not tried: another notice found the relay not reached'), claimed_at = NULL, claimed_by = NULL
             WHERE state = {NotificationStates.Sql(NotificationState.Pending)} AND {Due}
               AND (claimed_by IS NULL OR (claimed_by = @holder AND id = ANY(@claimed)))
            """,
            new { claimed = claimed.ToArray(), holder = lease.Id, seconds = delay.TotalSeconds });
    }

    /// <summary>
    /// The relay answers again: every pending row whose last attempt an outage cut off (not reached,
    /// or interrupted) is due now, in one statement, rather than at its next retry. Returns how many.
    /// </summary>
    public async Task<int> BringForwardNotReachedAsync()
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteAsync(
            $"""
            UPDATE stepupdown.notifications SET next_attempt_at = now()
             WHERE {Waiting} AND failure_kind IN ({NotificationStates.Sql(NotificationStates.OfAnOutage)})
            """);
    }

    /// <summary>True while a pending row waits for its next attempt because an outage cut its last off.</summary>
    public async Task<bool> AnyWaitingForRelayAsync()
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<bool>(
            $"""
            SELECT EXISTS (SELECT 1 FROM stepupdown.notifications
                            WHERE {Waiting} AND failure_kind IN ({NotificationStates.Sql(NotificationStates.OfAnOutage)}))
            """);
    }

    /// <summary>
    /// An admin asked for a failed or waiting notice to be tried again now: it is pending and due.
    /// A failed notice starts its retries afresh; a waiting one keeps its count. Who asked, and
    /// when, is kept on the row. True when it was failed or waiting.
    /// </summary>
    public async Task<bool> RetryNowAsync(Guid notificationId, string admin)
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteAsync(
            $"""
            UPDATE stepupdown.notifications
               SET state = {NotificationStates.Sql(NotificationState.Pending)}, next_attempt_at = now(), claimed_at = NULL, claimed_by = NULL,
                   attempts = CASE WHEN state = {NotificationStates.Sql(NotificationState.Failed)} THEN 0 ELSE attempts END,
                   {Acted("retried now")}
             WHERE id = @notificationId AND (state = {NotificationStates.Sql(NotificationState.Failed)} OR ({Waiting}))
            """,
            new { notificationId, admin }) == 1;
    }

    /// <summary>The columns that keep an admin's last action on a row, who (<c>@admin</c>) and when: an SQL <c>SET</c> fragment.</summary>
    private static string Acted(string action) => $"action = '{action}', action_by = @admin, action_at = now()";

    /// <summary>An admin marked a failed notice dealt with (its recipient was told another way): it leaves the menu's count. True when it was failed.</summary>
    public async Task<bool> MarkDealtWithAsync(Guid notificationId, string admin)
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteAsync(
            $"UPDATE stepupdown.notifications SET {Acted(DealtWith)} WHERE id = @notificationId AND state = {NotificationStates.Sql(NotificationState.Failed)}",
            new { notificationId, admin }) == 1;
    }

    /// <summary>
    /// An admin gave up a waiting notice: it is failed, and the MASSH told, as when its retries run
    /// out. Who, and when, is kept on the row. True when it was waiting.
    /// </summary>
    public async Task<bool> GiveUpNowAsync(Guid notificationId, string admin, Func<Guid, string, NotificationToStore> tellMassh)
    {
        ArgumentNullException.ThrowIfNull(tellMassh);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var work = await BeginAsync(connection);
        var row = await work.QuerySingleOrDefaultAsync<(Guid? StepId, string Role)?>(
            $"""
            UPDATE stepupdown.notifications
               SET state = {NotificationStates.Sql(NotificationState.Failed)}, next_attempt_at = NULL, claimed_at = NULL, claimed_by = NULL,
                   last_error = 'Given up on the dashboard. Last: ' || COALESCE(last_error, 'none'),
                   {Acted("given up")}
             WHERE id = @notificationId AND {Waiting}
            RETURNING step_id, recipient_role
            """,
            new { notificationId, admin });
        await TellMasshAsync(work, row, tellMassh);
        await work.CommitAsync(CancellationToken.None);
        return row is not null;
    }

    /// <summary>
    /// A report said the receiving side could not deliver a sent notice: its row becomes
    /// <c>bounced</c> with the report's status code (e.g. <c>5.1.1</c>) and when, and, unless it
    /// was the MASSH's own, <paramref name="tellMassh"/> is added in the same transaction. The
    /// reason the MASSH reads is <paramref name="reason"/>, which names the code, never the report's text.
    /// </summary>
    public async Task<ReportEffect> BounceAsync(
        Guid notificationId, string? status, DateTimeOffset reportedAt, string reason, Func<Guid, string, NotificationToStore> tellMassh)
    {
        ArgumentNullException.ThrowIfNull(tellMassh);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var work = await BeginAsync(connection);
        var row = await work.QuerySingleOrDefaultAsync<(Guid? StepId, string Role)?>(
            $"""
            UPDATE stepupdown.notifications
               SET state = {NotificationStates.Sql(NotificationState.Bounced)}, report_status = @status, bounced_at = @reportedAt, last_error = @reason
             WHERE id = @notificationId AND state = {NotificationStates.Sql(NotificationState.Sent)}
            RETURNING step_id, recipient_role
            """,
            new { notificationId, status, reportedAt, reason });
        var effect = row is not null ? ReportEffect.Recorded
            : await KeepAsync(work, notificationId, status, reportedAt, reason) ? ReportEffect.Kept
            : await EffectOfNoChangeAsync(work, notificationId);
        await TellMasshAsync(work, row, tellMassh);
        await work.CommitAsync(CancellationToken.None);
        return effect;
    }

    /// <summary>A report said a sent notice is delayed (not final): noted on its row, nothing else changes.</summary>
    public async Task<ReportEffect> NoteDelayAsync(Guid notificationId, string? status, DateTimeOffset reportedAt)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var work = await BeginAsync(connection);
        var noted = await work.ExecuteAsync(
            $"""
            UPDATE stepupdown.notifications SET delayed_at = @reportedAt, report_status = @status
             WHERE id = @notificationId AND state = {NotificationStates.Sql(NotificationState.Sent)} AND delayed_at IS DISTINCT FROM @reportedAt
            """,
            new { notificationId, status, reportedAt });
        var effect = noted > 0 ? ReportEffect.Recorded : await EffectOfNoChangeAsync(work, notificationId);
        await work.CommitAsync(CancellationToken.None);
        return effect;
    }

    /// <summary>
    /// Keeps a bounce for a row not yet recorded as sent (pending a retry, or <c>sending</c> while
    /// its "accepted" record is retried): <see cref="LedgerAttempt"/> applies it when it records the
    /// row sent. True when kept.
    /// </summary>
    private static async Task<bool> KeepAsync(UnitOfWork work, Guid notificationId, string? status, DateTimeOffset reportedAt, string reason) =>
        await work.ExecuteAsync(
            $"""
            UPDATE stepupdown.notifications SET kept_report_at = @reportedAt, kept_report_status = @status, kept_report_reason = @reason
             WHERE id = @notificationId AND state IN ({NotificationStates.Sql(NotificationState.Pending)}, {NotificationStates.Sql(NotificationState.Sending)})
               AND kept_report_at IS NULL
            """,
            new { notificationId, status, reportedAt, reason }) == 1;

    private static async Task<ReportEffect> EffectOfNoChangeAsync(UnitOfWork work, Guid notificationId) =>
        await work.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM stepupdown.notifications WHERE id = @notificationId)", new { notificationId })
            ? ReportEffect.Unchanged
            : ReportEffect.NoSuchNotice;

    /// <summary>Adds the MASSH's notice of a row that ended undelivered, unless the row was the MASSH's own; true when added.</summary>
    private static async Task<bool> TellMasshAsync(UnitOfWork work, (Guid? StepId, string Role)? ended, Func<Guid, string, NotificationToStore> tellMassh)
    {
        if (ended is not { StepId: { } stepId } row || !NotificationRules.FailureIsToldToMassh(row.Role))
        {
            return false;
        }

        await AddAsync(work, [tellMassh(stepId, row.Role)]);
        return true;
    }

    /// <summary>A unit of work of the ledger's own on <paramref name="connection"/>, stamped now.</summary>
    private Task<UnitOfWork> BeginAsync(NpgsqlConnection connection) => UnitOfWork.BeginAsync(connection, time.GetUtcNow(), CancellationToken.None);

    /// <summary>
    /// Adds a notice about no step, written now (a weekly digest): pending, holding
    /// <paramref name="content"/> until it is sent. Keyed by <paramref name="id"/>: a row already
    /// there (this week's, added by another run) is left as it is. True when added.
    /// </summary>
    public async Task<bool> AddWrittenAsync(Guid id, string role, string template, WrittenNotice content)
    {
        ArgumentNullException.ThrowIfNull(content);
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteAsync(
            $"""
            INSERT INTO stepupdown.notifications (id, step_id, recipient_role, state, message_id, template, content, created_at)
            VALUES (@id, NULL, @role, {NotificationStates.Sql(NotificationState.Pending)}, @messageId, @template, @content::jsonb, @now)
            ON CONFLICT (id) DO NOTHING
            """,
            new { id, role, messageId = content.MessageId, template, content = JsonSerializer.Serialize(content), now = time.GetUtcNow() }) == 1;
    }

    /// <summary>
    /// Locks row <paramref name="notificationId"/> for one delivery attempt (null when the ledger
    /// has no such row). The lock is held while the message is composed and released when the
    /// attempt marks the row <c>sending</c>, so it is never held over SMTP. A row marked sending
    /// within <paramref name="attemptTimeout"/> (by the database's clock) is
    /// <see cref="LedgerRow.SendingRecently"/>.
    /// </summary>
    public async Task<LedgerAttempt?> BeginAttemptAsync(Guid notificationId, TimeSpan attemptTimeout, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<StoredRow>(
                $$"""
                SELECT n.step_id AS StepId, n.state, n.attempts, COALESCE(n.sending_since > now() - @attemptTimeout, false) AS SendingRecently,
                       (n.attempts > 0 OR n.failure_kind IS NOT NULL OR n.created_at < now() - interval '1 minute') AS Waited, n.sending_by AS SendingBy,
                       (n.sending_by IS NULL OR {{InstanceLease.IsAliveSql("n.sending_by")}}) AS SenderAlive,
                       n.recipient_role AS RecipientRole, n.message_id AS MessageId, n.template,
                       s.source, s.child_id AS ChildId, s.kind, s.from_level AS FromLevel, s.to_level AS ToLevel, array_to_string(s.markers, ',') AS Markers, s.subject,
                       s.record::text AS RecordJson, s.details::text AS DetailsJson, s.detected_at AS DetectedAt, s.handover_id AS HandoverId,
                       n.content::text AS ContentJson
                  FROM stepupdown.notifications n LEFT JOIN stepupdown.steps s ON s.id = n.step_id
                 WHERE n.id = @notificationId
                   FOR UPDATE OF n
                """,
                new { notificationId, attemptTimeout, aliveFor = lease.AliveFor },
                transaction);
            if (row is null)
            {
                await connection.DisposeAsync();
                return null;
            }

            return new LedgerAttempt(dataSource, connection, transaction, notificationId, row.ToLedgerRow(), lease, time, logger);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The row as read: a written notice (a digest) has no step, so the step's columns are null.</summary>
    private sealed record StoredRow(
        Guid? StepId, string State, int Attempts, bool SendingRecently, bool Waited, Guid? SendingBy, bool SenderAlive, string RecipientRole, string MessageId, string? Template,
        string? Source, string? ChildId, string? Kind, string? FromLevel, string? ToLevel, string? Markers, string? Subject, string? RecordJson, string? DetailsJson,
        DateTime? DetectedAt, Guid? HandoverId, string? ContentJson)
    {
        public LedgerRow ToLedgerRow() => new(
            StepId ?? Guid.Empty, NotificationStates.Parse(State), Attempts, SendingRecently, Waited, SendingBy, SenderAlive, RecipientRole, MessageId, Template,
            Source ?? "", ChildId ?? "", Kind ?? "", FromLevel ?? "", ToLevel ?? "", Markers ?? "", Subject, RecordJson ?? "", DetailsJson, DetectedAt ?? default, HandoverId,
            ContentJson is null ? null : JsonSerializer.Deserialize<WrittenNotice>(ContentJson));
    }
}
