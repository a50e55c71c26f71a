using Dapper;
using Npgsql;
using StepUpDown.Integration.ChildRecords;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>Where a source's position in its feed stands.</summary>
/// <param name="Cursor">The feed's cursor after the last committed page; null before the first.</param>
/// <param name="BaselineCompleted">False until the first full read of the source has finished.</param>
public sealed record SourcePosition(string? Cursor, bool BaselineCompleted);

/// <summary>A record that could not be used, and why.</summary>
public sealed record QuarantinedRecord(string? ChildId, string Reason, string Payload);

/// <summary>Everything one page produced, written in one transaction with the cursor after it.</summary>
public sealed record PageWrite(
    string Source,
    IReadOnlyList<RecordToStore> Records,
    IReadOnlyList<StepToStore> Steps,
    IReadOnlyList<NotificationToStore> Notifications,
    IReadOnlyList<HandoverToStore> Handovers,
    IReadOnlyList<QuarantinedRecord> Quarantined,
    SourcePosition Position,
    IReadOnlyList<HoldToStore> Holds);

/// <summary>The worker's state per source: cursors, last records, steps, quarantine.</summary>
public sealed class CaseFeedStore(TimeProvider time)
{
    private const long DetectionLockKey = 0x5354_4550_5550_0002; // "STEPUP" + 2

    /// <summary>How often a poll that finds nothing records that it polled (for readiness), rather than on every run.</summary>
    private static readonly TimeSpan IdlePollRecordedEvery = TimeSpan.FromMinutes(1);

    /// <summary>The source's position (a source never polled has none) and when it was last polled.</summary>
    public static async Task<(SourcePosition Position, DateTime? LastPolledAt)> GetPositionAsync(NpgsqlConnection connection, string source)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var row = await connection.QuerySingleOrDefaultAsync<PositionRow>(
            "SELECT cursor, baseline_completed AS BaselineCompleted, last_polled_at AS LastPolledAt FROM stepupdown.source_cursors WHERE source = @source",
            new { source });
        return row is null ? (new SourcePosition(null, false), null) : (new SourcePosition(row.Cursor, row.BaselineCompleted), row.LastPolledAt);
    }

    private sealed record PositionRow(string? Cursor, bool BaselineCompleted, DateTime? LastPolledAt);

    /// <summary>
    /// Records a poll that found nothing, at most once a minute: readiness needs to know the source
    /// answers, not a write per idle poll.
    /// </summary>
    public async Task MarkPolledAsync(NpgsqlConnection connection, string source, DateTime? lastPolledAt)
    {
        var now = time.GetUtcNow();
        if (lastPolledAt is { } at && now - new DateTimeOffset(at, TimeSpan.Zero) < IdlePollRecordedEvery)
        {
            return;
        }

        await connection.ExecuteAsync("UPDATE stepupdown.source_cursors SET last_polled_at = @now WHERE source = @source", new { source, now });
    }

    /// <summary>
    /// Refreshes the planner's statistics of the tables a poll grows. After a bulk load (a first
    /// adoption) PostgreSQL's estimates are stale until autovacuum runs, and it then scans whole
    /// tables for lookups that an index answers in a millisecond (seen in the benchmark).
    /// </summary>
    public static Task AnalyzeAsync(NpgsqlConnection connection) =>
        connection.ExecuteAsync("ANALYZE stepupdown.child_records, stepupdown.steps");

    /// <summary>
    /// Takes the detection lock for this transaction: pages from different sources are detected
    /// one at a time, so two sources changing the same child never both read the other's old state.
    /// </summary>
    public static Task LockDetectionAsync(UnitOfWork work) =>
        work.ExecuteAsync("SELECT pg_advisory_xact_lock(@DetectionLockKey)", new { DetectionLockKey });

    /// <summary>
    /// Writes the page's records, steps, notifications, handovers and quarantined records together
    /// with the cursor after it, in <paramref name="work"/>: a crash leaves either all of it or none.
    /// Each owner writes its own rows (the child store the records, the step store the steps, the
    /// ledger the notices, the handover store the handovers); this store writes the quarantine and the cursor.
    /// </summary>
    /// <returns>The ids of the notifications this write added (re-detected ones are not added twice).</returns>
    public static async Task<IReadOnlyList<Guid>> SavePageAsync(UnitOfWork work, PageWrite page)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(page);

        await new ChildStore(work).SaveAsync(page.Source, page.Records);
        await work.ExecuteAsync(
            "DELETE FROM stepupdown.quarantined_records WHERE source = @Source AND child_id = ANY(@childIds)",
            new { page.Source, childIds = page.Records.Select(r => r.ChildId).ToArray() });

        await new StepStore(work).AddStepsAsync(page.Steps);
        var added = await NotificationLedger.AddAsync(work, page.Notifications);

        await new HandoverStore(work).OpenAsync(page.Source, page.Handovers, page.Holds);

        await work.ExecuteAsync(
            """
            INSERT INTO stepupdown.quarantined_records (source, child_id, reason, payload, received_at)
            SELECT @Source, q.child_id, q.reason, q.payload, @now
            FROM unnest(@childIds, @reasons, @payloads) AS q(child_id, reason, payload)
            """,
            new
            {
                page.Source,
                now = work.Now,
                childIds = page.Quarantined.Select(q => q.ChildId).ToArray(),
                reasons = page.Quarantined.Select(q => q.Reason).ToArray(),
                payloads = page.Quarantined.Select(q => q.Payload).ToArray(),
            });

        await work.ExecuteAsync(
            """
            INSERT INTO stepupdown.source_cursors (source, cursor, baseline_completed, last_polled_at, updated_at)
            VALUES (@Source, @Cursor, @BaselineCompleted, @now, @now)
            ON CONFLICT (source) DO UPDATE
               SET cursor = EXCLUDED.cursor, baseline_completed = EXCLUDED.baseline_completed,
                   last_polled_at = EXCLUDED.last_polled_at, updated_at = EXCLUDED.updated_at
            """,
            new { page.Source, page.Position.Cursor, page.Position.BaselineCompleted, now = work.Now });
        return added;
    }
}
