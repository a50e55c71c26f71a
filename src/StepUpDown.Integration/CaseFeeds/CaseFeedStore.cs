using Dapper;
using Npgsql;
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>Where a source's position in its feed stands.</summary>
/// <param name="Cursor">The feed's cursor after the last committed page; null before the first.</param>
/// <param name="BaselineCompleted">False until the first full read of the source has finished.</param>
public sealed record SourcePosition(string? Cursor, bool BaselineCompleted);

/// <summary>A record to store as the child's latest in its source.</summary>
public sealed record RecordToStore(string ChildId, long Version, string LevelCode, string? NhsNumber, IReadOnlyList<string> ExternalKeys, string Json);

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

/// <summary>What a page's children (and their records in other sources) look like in storage.</summary>
/// <param name="Source">The record's source.</param>
/// <param name="ChildId">The child's id there.</param>
/// <param name="LevelCode">The level it holds.</param>
/// <param name="Json">The whole stored record.</param>
/// <param name="LastStepDownOn">When the child last completed a step down or closed to universal in that source.</param>
/// <param name="NhsNumberShared">Another child in the same source holds the same NHS number.</param>
public sealed record StoredRow(string Source, string ChildId, string LevelCode, string Json, DateTime? LastStepDownOn, bool NhsNumberShared);

/// <summary>An open agreed step down as stored: continuum codes, not levels.</summary>
public sealed record OpenAgreementRow(Guid Id, string Source, string ChildId, string? Target, string? HeldFrom);

/// <summary>Who a page is about, for loading what is stored of them in one round trip.</summary>
/// <param name="ChildIds">The page's child ids in its source.</param>
/// <param name="NhsNumbers">Their valid NHS numbers.</param>
/// <param name="NamedKeys">The <c>system|id</c> keys their external ids name.</param>
public sealed record PageSubjects(string[] ChildIds, string[] NhsNumbers, string[] NamedKeys);

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
    public static Task LockDetectionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction) =>
        connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@DetectionLockKey)", new { DetectionLockKey }, transaction);

    // Each branch of the load reads by its own index; a record matched twice comes back twice and
    // the caller keeps one. (A single OR, or a join over the union, made PostgreSQL scan the table.)
    // When the child's last episode ended: the steps DetectedStep.EndsAnEpisode names (a completed
    // step down, or a step down to universal, @lowest), stored.
    private const string StoredRowColumns =
        """
        SELECT r.source, r.child_id AS ChildId, r.level_code AS LevelCode, r.record::text AS Json,
               (SELECT max(s.occurred_on) FROM stepupdown.steps s
                 WHERE s.source = r.source AND s.child_id = r.child_id
                   AND (s.kind = 'StepDownComplete' OR (s.kind = 'StepDown' AND s.to_level = @lowest)))::timestamp AS LastStepDownOn,
               EXISTS (SELECT 1 FROM stepupdown.child_records o
                        WHERE o.source = r.source AND o.nhs_number = r.nhs_number AND o.child_id <> r.child_id) AS NhsNumberShared
          FROM stepupdown.child_records r
        """;

    /// <summary>
    /// The stored records of a page's children in its source and of the same children in other
    /// sources (same NHS number, or an external id naming or named by them), in one round trip.
    /// </summary>
    public static async Task<IReadOnlyList<StoredRow>> LoadAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string source, PageSubjects subjects, string lowest)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(subjects);
        var ownKeys = subjects.ChildIds.Select(id => Domain.Records.ChildIdentity.KeyOf(source, id)).ToArray();
        var rows = await connection.QueryAsync<StoredRow>(
            $"""
            {StoredRowColumns} WHERE r.source = @source AND r.child_id = ANY(@childIds)
            UNION ALL
            {StoredRowColumns} WHERE r.nhs_number = ANY(@nhsNumbers) AND r.source <> @source
            UNION ALL
            {StoredRowColumns} WHERE (r.source, r.child_id) IN (SELECT split_part(k, '|', 1), substr(k, strpos(k, '|') + 1) FROM unnest(@namedKeys) AS k)
                                 AND r.source <> @source
            UNION ALL
            {StoredRowColumns} JOIN stepupdown.child_external_ids e USING (source, child_id)
                                WHERE e.named_key = ANY(@ownKeys) AND e.source <> @source
            """,
            new { source, childIds = subjects.ChildIds, nhsNumbers = subjects.NhsNumbers, namedKeys = subjects.NamedKeys, ownKeys, lowest },
            transaction);
        return rows.ToList();
    }

    /// <summary>Of the page's (child id, NHS number) pairs, the child ids whose number another child in the source holds.</summary>
    public static async Task<IReadOnlyList<string>> SharedNhsNumbersAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string source, string[] childIds, string[] nhsNumbers)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.QueryAsync<string>(
            """
            SELECT p.child_id FROM unnest(@childIds, @nhsNumbers) AS p(child_id, nhs)
             WHERE EXISTS (SELECT 1 FROM stepupdown.child_records r WHERE r.source = @source AND r.nhs_number = p.nhs AND r.child_id <> p.child_id)
            """,
            new { source, childIds, nhsNumbers },
            transaction)).AsList();
    }

    /// <summary>The open agreed step downs of these (source, child id) records.</summary>
    public static async Task<IReadOnlyList<OpenAgreementRow>> OpenAgreementsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string[] sources, string[] childIds)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.QueryAsync<OpenAgreementRow>(
            """
            SELECT h.id, h.source, h.child_id AS ChildId, h.target, h.held_from AS HeldFrom
              FROM stepupdown.handovers h
             WHERE h.state = 'open' AND h.planned AND (h.source, h.child_id) IN (SELECT * FROM unnest(@sources, @childIds))
            """,
            new { sources, childIds },
            transaction)).AsList();
    }

    /// <summary>
    /// Of <paramref name="childIds"/> in <paramref name="source"/>, those erased or purged, each with
    /// the version it was erased at (the tombstone is found by the keyed hash of the id).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, long>> ErasedVersionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string source, string[] childIds)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rows = await connection.QueryAsync<(string ChildId, long Version)>(
            """
            SELECT c.child_id, t.erased_version
              FROM unnest(@childIds) AS c(child_id)
              JOIN stepupdown.tombstones t ON t.source = @source AND t.child_hash = stepupdown.child_hash(c.child_id)
            """,
            new { source, childIds },
            transaction);
        return rows.ToDictionary(r => r.ChildId, r => r.Version, StringComparer.Ordinal);
    }

    /// <summary>
    /// SQL that leaves a tombstone for each (source, child_id, version) row of <paramref name="rows"/>
    /// (a query or CTE name), keeping the highest version erased.
    /// </summary>
    public static string LeaveTombstones(string rows) =>
        $"""
        INSERT INTO stepupdown.tombstones (source, child_hash, erased_version, erased_at)
        SELECT r.source, stepupdown.child_hash(r.child_id), r.version, @now FROM {rows} r
        ON CONFLICT (source, child_hash) DO UPDATE
           SET erased_version = GREATEST(stepupdown.tombstones.erased_version, EXCLUDED.erased_version), erased_at = EXCLUDED.erased_at
        """;

    /// <summary>
    /// Of <paramref name="childIds"/> in <paramref name="source"/>, those for whom a GP notice was
    /// withheld (the MASSH was asked to match the NHS number instead) and no GP notice has been
    /// planned since.
    /// </summary>
    public static async Task<IReadOnlyList<string>> GpNoticeWithheldAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string source, string[] childIds)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.QueryAsync<string>(
            $"""
            SELECT DISTINCT s.child_id
              FROM stepupdown.steps s JOIN stepupdown.notifications n ON n.step_id = s.id
             WHERE s.source = @source AND s.child_id = ANY(@childIds) AND {GpNoticeOwed("s", "n")}
            """,
            new { source, childIds },
            transaction)).AsList();
    }

    /// <summary>
    /// SQL true when the ledger row <paramref name="notice"/> of the step <paramref name="step"/>
    /// is a request to the MASSH to match the NHS number (the GP's notice was withheld) and no
    /// notice to the child's GP has been planned since: the GP is still owed the current plan.
    /// </summary>
    internal static string GpNoticeOwed(string step, string notice) =>
        $"""
        {notice}.recipient_role = '{RecipientRoles.MasshNhsMatch}'
        AND NOT EXISTS (SELECT 1 FROM stepupdown.steps later JOIN stepupdown.notifications gp ON gp.step_id = later.id
                         WHERE gp.recipient_role IN ('{RecipientRoles.Gp}', '{RecipientRoles.PreviousGp}')
                           AND later.source = {step}.source AND later.child_id = {step}.child_id AND gp.created_at > {notice}.created_at)
        """;

    /// <summary>
    /// Writes the page's records, steps, notifications, handovers and quarantined records together
    /// with the cursor after it, in the caller's transaction: a crash leaves either all of it or none.
    /// </summary>
    /// <returns>The ids of the notifications this write added (re-detected ones are not added twice).</returns>
    public async Task<IReadOnlyList<Guid>> SavePageAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PageWrite page)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(page);
        var now = time.GetUtcNow();

        await connection.ExecuteAsync(
            """
            INSERT INTO stepupdown.child_records (source, child_id, version, level_code, nhs_number, record, stored_at)
            SELECT @Source, r.child_id, r.version, r.level_code, r.nhs_number, r.record::jsonb, @now
            FROM unnest(@childIds, @versions, @levels, @nhsNumbers, @records) AS r(child_id, version, level_code, nhs_number, record)
            ON CONFLICT (source, child_id) DO UPDATE
               SET version = EXCLUDED.version, level_code = EXCLUDED.level_code, nhs_number = EXCLUDED.nhs_number,
                   record = EXCLUDED.record, stored_at = EXCLUDED.stored_at
             WHERE stepupdown.child_records.version < EXCLUDED.version;

            DELETE FROM stepupdown.child_external_ids WHERE source = @Source AND child_id = ANY(@childIds);
            INSERT INTO stepupdown.child_external_ids (source, child_id, named_key)
            SELECT @Source, e.child_id, e.named_key FROM unnest(@namingChildIds, @namedKeys) AS e(child_id, named_key)
            ON CONFLICT DO NOTHING;

            DELETE FROM stepupdown.quarantined_records WHERE source = @Source AND child_id = ANY(@childIds);
            """,
            new
            {
                page.Source,
                now,
                childIds = page.Records.Select(r => r.ChildId).ToArray(),
                versions = page.Records.Select(r => r.Version).ToArray(),
                levels = page.Records.Select(r => r.LevelCode).ToArray(),
                nhsNumbers = page.Records.Select(r => r.NhsNumber).ToArray(),
                namingChildIds = page.Records.SelectMany(r => r.ExternalKeys.Select(_ => r.ChildId)).ToArray(),
                namedKeys = page.Records.SelectMany(r => r.ExternalKeys).ToArray(),
                records = page.Records.Select(r => r.Json).ToArray(),
            },
            transaction);

        await Ledger.AddStepsAsync(connection, transaction, page.Steps, now);
        var added = await NotificationLedger.AddAsync(connection, transaction, page.Notifications, now);

        await connection.ExecuteAsync(
            """
            INSERT INTO stepupdown.handovers (id, source, child_id, planned, agreed_on, started_on, target_level, target, opened_at)
            SELECT h.id, @Source, h.child_id, h.planned, h.agreed_on::date, h.started_on::date, h.target_level, h.target, @now
            FROM unnest(@ids, @childIds, @planned, @agreedOn, @startedOn, @targetLevels, @targets)
                 AS h(id, child_id, planned, agreed_on, started_on, target_level, target)
            ON CONFLICT (id) DO NOTHING;

            UPDATE stepupdown.handovers h SET held_from = u.held_from, held_since = u.held_since::date
              FROM unnest(@holdIds, @heldFrom, @heldSince) AS u(id, held_from, held_since)
             WHERE h.id = u.id AND h.state = 'open';
            """,
            new
            {
                page.Source,
                now,
                ids = page.Handovers.Select(h => h.Id).ToArray(),
                childIds = page.Handovers.Select(h => h.ChildId).ToArray(),
                planned = page.Handovers.Select(h => h.Planned).ToArray(),
                agreedOn = page.Handovers.Select(h => h.AgreedOn?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                startedOn = page.Handovers.Select(h => h.StartedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                targetLevels = page.Handovers.Select(h => h.TargetLevel).ToArray(),
                targets = page.Handovers.Select(h => h.Target).ToArray(),
                holdIds = page.Holds.Select(h => h.HandoverId).ToArray(),
                heldFrom = page.Holds.Select(h => h.HeldFrom).ToArray(),
                heldSince = page.Holds.Select(h => h.HeldSince?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            },
            transaction);

        await connection.ExecuteAsync(
            """
            INSERT INTO stepupdown.quarantined_records (source, child_id, reason, payload, received_at)
            SELECT @Source, q.child_id, q.reason, q.payload, @now
            FROM unnest(@childIds, @reasons, @payloads) AS q(child_id, reason, payload)
            """,
            new
            {
                page.Source,
                now,
                childIds = page.Quarantined.Select(q => q.ChildId).ToArray(),
                reasons = page.Quarantined.Select(q => q.Reason).ToArray(),
                payloads = page.Quarantined.Select(q => q.Payload).ToArray(),
            },
            transaction);

        await connection.ExecuteAsync(
            """
            INSERT INTO stepupdown.source_cursors (source, cursor, baseline_completed, last_polled_at, updated_at)
            VALUES (@Source, @Cursor, @BaselineCompleted, @now, @now)
            ON CONFLICT (source) DO UPDATE
               SET cursor = EXCLUDED.cursor, baseline_completed = EXCLUDED.baseline_completed,
                   last_polled_at = EXCLUDED.last_polled_at, updated_at = EXCLUDED.updated_at
            """,
            new { page.Source, page.Position.Cursor, page.Position.BaselineCompleted, now },
            transaction);
        return added;
    }
}
