using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.ChildRecords;
using StepUpDown.Integration.DeliveryEvidence;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Retention;

/// <summary>What one purge removed, by kind (counts only).</summary>
public sealed record PurgeResult(int ClosedChildren, int Steps, int LedgerRows, int Handovers, int Quarantined, int FailedJobs)
{
    /// <summary>Messages the bounce mailbox had filed (<c>Processed</c>, <c>Unmatched</c>) past their period.</summary>
    public int MailboxMessages { get; init; }
}

/// <summary>
/// Applies <see cref="RetentionOptions"/> (the daily purge) and erases one child on request. What
/// an open handover or an undelivered notice needs stays: a child with an open handover keeps its
/// record, steps and ledger, and so do its linked records in other sources (their GP notice is
/// what the handover counts as "GP notified"); a step goes only once its ledger rows have gone, and an undelivered
/// (pending or sending) row never goes. Nor does the row that says a GP is still owed the current
/// plan (its notice was withheld for want of a valid NHS number), while the child's record is
/// held: a number corrected years later still reaches the GP.
/// </summary>
public sealed partial class RetentionPurge(
    NpgsqlDataSource dataSource,
    IOptions<RetentionOptions> options,
    IConfiguration configuration,
    JobStorage jobs,
    IBackgroundJobClient client,
    BounceMailbox mailbox,
    StepUpDown.Integration.Handovers.ReplyMailbox replies,
    TimeProvider time,
    ILogger<RetentionPurge> logger)
{
    /// <summary>SQL true when the child <c>{alias}.source, {alias}.child_id</c> has an open handover.</summary>
    private static string HasOpenHandover(string alias) =>
        $"EXISTS (SELECT 1 FROM stepupdown.handovers h WHERE h.source = {alias}.source AND h.child_id = {alias}.child_id AND h.state = {HandoverStates.Sql(HandoverState.Open)})";

    /// <summary>
    /// SQL true when the record <c>{alias}.source, {alias}.child_id</c> is the same child as one with
    /// an open handover, in another source (by NHS number or an external id either way): a GP notice
    /// on the early-help record of a child whose social care handover is open is what that
    /// handover counts as "GP notified". It errs on keeping: a number that identifies nobody keeps
    /// rows a little longer, never fewer.
    /// </summary>
    private static string LinkedToOpenHandover(string alias) =>
        $"""
        EXISTS (SELECT 1 FROM stepupdown.handovers h
                  JOIN stepupdown.child_records held ON held.source = h.source AND held.child_id = h.child_id
                  JOIN stepupdown.child_records own ON own.source = {alias}.source AND own.child_id = {alias}.child_id
                 WHERE h.state = {HandoverStates.Sql(HandoverState.Open)}
                   AND (held.nhs_number = own.nhs_number
                        OR EXISTS (SELECT 1 FROM stepupdown.child_external_ids x
                                    WHERE (x.source = held.source AND x.child_id = held.child_id AND x.named_key = own.source || '|' || own.child_id)
                                       OR (x.source = own.source AND x.child_id = own.child_id AND x.named_key = held.source || '|' || held.child_id))))
        """;

    /// <summary>SQL true when the child <c>{alias}.source, {alias}.child_id</c> is held and its GP still owed the plan: the MASSH's match request stays with it.</summary>
    private static string GpOwed(string alias) =>
        $"EXISTS (SELECT 1 FROM stepupdown.child_records c WHERE c.source = {alias}.source AND c.child_id = {alias}.child_id AND c.gp_owed)";

    /// <summary>Removes what is past its period.</summary>
    public async Task<PurgeResult> PurgeAsync(CancellationToken cancellationToken)
    {
        var retention = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var work = await UnitOfWork.BeginAsync(connection, time.GetUtcNow(), cancellationToken);
        var now = work.Now;
        var parameters = new
        {
            now,
            children = now.AddDays(-retention.ClosedChildrenDays),
            steps = now.AddDays(-retention.StepsDays),
            ledger = now.AddDays(-retention.LedgerDays),
            quarantine = now.AddDays(-retention.QuarantineDays),
        };
        var ledgerRows = await work.ExecuteAsync(
            $"""
            DELETE FROM stepupdown.notifications n USING stepupdown.steps s
             WHERE s.id = n.step_id AND n.created_at < @ledger AND n.state NOT IN ({NotificationStates.Sql(NotificationStates.Undelivered)}) AND NOT {HasOpenHandover("s")}
               AND NOT {LinkedToOpenHandover("s")}
               AND NOT (n.recipient_role = '{RecipientRoles.MasshNhsMatch}' AND {GpOwed("s")})
            """,
            parameters);
        var steps = await work.ExecuteAsync(
            $"""
            DELETE FROM stepupdown.steps s
             WHERE s.detected_at < @steps AND NOT {HasOpenHandover("s")}
               AND NOT EXISTS (SELECT 1 FROM stepupdown.notifications n WHERE n.step_id = s.id);
            """,
            parameters);
        var handovers = await work.ExecuteAsync(
            $"DELETE FROM stepupdown.handovers WHERE state <> {HandoverStates.Sql(HandoverState.Open)} AND COALESCE(closed_at, opened_at) < @steps",
            parameters);
        var children = await work.ExecuteScalarAsync<int>(
            $"""
            WITH gone AS (
                     DELETE FROM stepupdown.child_records c
                      WHERE c.record ->> 'status' = 'closed' AND c.stored_at < @children AND NOT {HasOpenHandover("c")}
                     RETURNING source, child_id, version, level_code),
                 keys AS (
                     DELETE FROM stepupdown.child_external_ids x USING gone WHERE x.source = gone.source AND x.child_id = gone.child_id RETURNING 1),
                 tombstones AS ({ChildStore.LeaveTombstones("gone")} RETURNING 1)
            SELECT count(*)::int FROM gone
            """,
            parameters);
        var quarantined = await work.ExecuteAsync(
            "DELETE FROM stepupdown.quarantined_records WHERE received_at < @quarantine", parameters);
        // Reports that matched no notice hold no personal data, but are review items: kept as long as quarantined records.
        await work.ExecuteAsync("DELETE FROM stepupdown.unmatched_reports WHERE received_at < @quarantine", parameters);
        // Replies that named no handover are review items too (their handover's go with it).
        await work.ExecuteAsync("DELETE FROM stepupdown.handover_replies WHERE handover_id IS NULL AND received_at < @quarantine", parameters);
        // Notices of no step (the weekly digests) go with the ledger's period, like the rest of it.
        ledgerRows += await work.ExecuteAsync(
            $"DELETE FROM stepupdown.notifications WHERE step_id IS NULL AND created_at < @ledger AND state NOT IN ({NotificationStates.Sql(NotificationStates.Undelivered)})",
            parameters);
        await work.ExecuteAsync("DELETE FROM stepupdown.lookups WHERE looked_up_at < @ledger", parameters);
        await work.CommitAsync(cancellationToken);

        var failedJobs = DeleteFailedJobs(now.AddDays(-retention.FailedJobsDays));
        DeleteOutboxFiles(file => file.LastWriteTimeUtc < parameters.ledger.UtcDateTime);
        // The database's part is committed; a mailbox that cannot be reached fails the job, and its retry purges it.
        var mailboxMessages = await mailbox.PurgeFiledAsync(parameters.ledger, parameters.quarantine, cancellationToken)
                              + await replies.PurgeFiledAsync(parameters.ledger, parameters.quarantine, cancellationToken);
        var result = new PurgeResult(children, steps, ledgerRows, handovers, quarantined, failedJobs) { MailboxMessages = mailboxMessages };
        LogPurged(logger, result.ClosedChildren, result.Steps, result.LedgerRows, result.Handovers, result.Quarantined, result.FailedJobs);
        return result;
    }

    /// <summary>
    /// Removes everything the worker holds about one child of one case system (its record, linking
    /// keys, steps and their notices, handovers, quarantined payloads, the outbox files of its
    /// notices), leaves a tombstone (a keyed
    /// hash of the id and the version erased) so that a resync announces nothing, and records only that an
    /// erasure happened. The case system's own record, and the same child under another source's
    /// id, are not touched.
    /// </summary>
    /// <returns>How many rows were removed.</returns>
    public async Task<int> EraseChildAsync(string source, string childId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var work = await UnitOfWork.BeginAsync(connection, time.GetUtcNow(), cancellationToken);
        var child = new { source, childId, now = work.Now };
        var messageIds = (await work.QueryAsync<string>(
            "SELECT n.message_id FROM stepupdown.notifications n JOIN stepupdown.steps s ON s.id = n.step_id WHERE s.source = @source AND s.child_id = @childId",
            child)).Select(OutboxFileName).ToHashSet(StringComparer.Ordinal);
        var removed = await work.ExecuteScalarAsync<int>(
            $"""
            WITH stored AS (SELECT version, level_code FROM stepupdown.child_records WHERE source = @source AND child_id = @childId),
                 erased AS (SELECT @source AS source, @childId AS child_id,
                                   COALESCE((SELECT version FROM stored), 0) AS version, (SELECT level_code FROM stored) AS level_code),
                 tombstone AS ({ChildStore.LeaveTombstones("erased")} RETURNING 1),
                 steps AS (SELECT id FROM stepupdown.steps WHERE source = @source AND child_id = @childId),
                 notices AS (DELETE FROM stepupdown.notifications WHERE step_id IN (SELECT id FROM steps) RETURNING 1),
                 handovers AS (DELETE FROM stepupdown.handovers WHERE source = @source AND child_id = @childId RETURNING 1),
                 quarantined AS (DELETE FROM stepupdown.quarantined_records WHERE source = @source AND child_id = @childId RETURNING 1),
                 keys AS (DELETE FROM stepupdown.child_external_ids WHERE source = @source AND child_id = @childId RETURNING 1),
                 lookups AS (DELETE FROM stepupdown.lookups WHERE source = @source AND child_id = @childId RETURNING 1),
                 records AS (DELETE FROM stepupdown.child_records WHERE source = @source AND child_id = @childId RETURNING 1)
            SELECT (SELECT count(*) FROM notices) + (SELECT count(*) FROM handovers) + (SELECT count(*) FROM quarantined)
                 + (SELECT count(*) FROM keys) + (SELECT count(*) FROM lookups) + (SELECT count(*) FROM records)
            """,
            child);

        // The steps last: their notices are gone now (a data-modifying CTE sees the table as it was).
        removed += await work.ExecuteAsync("DELETE FROM stepupdown.steps WHERE source = @source AND child_id = @childId", child);
        await work.ExecuteAsync("INSERT INTO stepupdown.erasures (erased_at, rows_removed) VALUES (@now, @removed)", new { child.now, removed });
        await work.CommitAsync(cancellationToken);
        // Files, not rows: the count of rows removed (and stepupdown.erasures) stays about the database.
        DeleteOutboxFiles(file => messageIds.Contains(file.Name));
        LogErased(logger, removed);
        return removed;
    }

    /// <summary>The outbox's file of a notice: named by its Message-Id's local part, as the outbox and the demo's mailbox write it.</summary>
    private static string OutboxFileName(string messageId) => $"{messageId.Trim('<', '>').Split('@')[0]}.eml";

    /// <summary>
    /// Deletes the <c>.eml</c> files of <c>Mail:OutboxDirectory</c> (the outbox, and the demo's
    /// mailbox, which writes there too) that <paramref name="goes"/> picks: they are children's notices.
    /// </summary>
    private void DeleteOutboxFiles(Func<FileInfo, bool> goes)
    {
        // Read as it stands, not through the validated MailOptions: erase-child runs with no relay set.
        var folder = new DirectoryInfo(configuration[$"{MailOptions.SectionName}:{nameof(MailOptions.OutboxDirectory)}"] ?? new MailOptions().OutboxDirectory);
        if (!folder.Exists)
        {
            return;
        }

        foreach (var file in folder.EnumerateFiles("*.eml").Where(goes).ToList())
        {
            file.Delete();
        }
    }

    /// <summary>
    /// Jobs that failed before <paramref name="cutoff"/> and are failed still are deleted (Hangfire
    /// then expires them as any deleted job). They are read from <see cref="FailedJobDates"/>'s set,
    /// oldest first; each entry read leaves the set, whether its job was deleted here or had left
    /// Failed already (retried, or deleted on the dashboard).
    /// </summary>
    private int DeleteFailedJobs(DateTimeOffset cutoff)
    {
        const int PageSize = 500;
        using var connection = (JobStorageConnection)jobs.GetConnection();
        var deleted = 0;
        while (true)
        {
            var page = connection.GetFirstByLowestScoreFromSet(FailedJobDates.SetKey, 0, FailedJobDates.Score(cutoff), PageSize);
            // Deleted only from Failed: a job retried since the set was read is left to run.
            deleted += page.Count(id => client.ChangeState(id, new DeletedState(), FailedState.StateName));
            using (var transaction = connection.CreateWriteTransaction())
            {
                page.ForEach(id => transaction.RemoveFromSet(FailedJobDates.SetKey, id));
                transaction.Commit();
            }

            if (page.Count < PageSize)
            {
                return deleted;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention purge removed {Children} closed children's records, {Steps} steps, {LedgerRows} ledger rows, {Handovers} closed handovers, {Quarantined} quarantined payloads, {FailedJobs} failed jobs")]
    private static partial void LogPurged(ILogger logger, int children, int steps, int ledgerRows, int handovers, int quarantined, int failedJobs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A child was erased on request: {Rows} rows removed")]
    private static partial void LogErased(ILogger logger, int rows);
}
