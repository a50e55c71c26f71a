using System.Text.Json;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.ChildRecords;

/// <summary>What a page's children (and their records in other sources) look like in storage.</summary>
/// <param name="Source">The record's source.</param>
/// <param name="ChildId">The child's id there.</param>
/// <param name="LevelCode">The level it holds.</param>
/// <param name="Json">The whole stored record.</param>
/// <param name="LastStepDownOn">When the child last completed a step down or closed to universal in that source.</param>
/// <param name="NhsNumberShared">Another child in the same source holds the same NHS number.</param>
/// <param name="GpOwed">The child's GP is still owed the current plan (<c>NotificationRules.GpStillOwed</c>, stored).</param>
public sealed record StoredRow(string Source, string ChildId, string LevelCode, string Json, DateTime? LastStepDownOn, bool NhsNumberShared, bool GpOwed)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The row read: its record parsed and placed on the continuum, with what detection needs of it.</summary>
    /// <param name="continuum">The council's continuum, for <see cref="LevelCode"/>.</param>
    /// <param name="agreedTarget">The level the record's agreed step down targets, where the caller needs it.</param>
    public StoredRecord ToStoredRecord(ContinuumOfNeed continuum, Func<string, ChildRecord, Level?>? agreedTarget = null)
    {
        ArgumentNullException.ThrowIfNull(continuum);
        var record = JsonSerializer.Deserialize<ChildRecord>(Json, JsonOptions)!;
        return new StoredRecord(
            new SourceRecord(Source, record, continuum.Get(LevelCode)) { NhsNumberShared = NhsNumberShared, AgreedTarget = agreedTarget?.Invoke(Source, record) },
            LastStepDownOn is { } date ? DateOnly.FromDateTime(date) : null,
            GpOwed);
    }
}

/// <summary>Who a page is about, for loading what is stored of them in one round trip.</summary>
/// <param name="ChildIds">The page's child ids in its source.</param>
/// <param name="NhsNumbers">Their valid NHS numbers.</param>
/// <param name="NamedKeys">The <c>system|id</c> keys their external ids name.</param>
public sealed record PageSubjects(string[] ChildIds, string[] NhsNumbers, string[] NamedKeys);

/// <summary>
/// Reads what is stored of children across the case systems (<c>stepupdown.child_records</c>,
/// their external ids and tombstones): the queries behind <see cref="LinkedRecords"/>. The poller
/// writes the rows; everyone who needs a child's linked records reads them here, and the sweep
/// records here whether a child's GP is still owed the plan.
/// </summary>
public sealed class ChildStore(UnitOfWork work)
{
    /// <summary>
    /// Stores <paramref name="records"/> as their children's latest in <paramref name="source"/> (an
    /// older version than the one stored changes nothing), with the other-system records each names,
    /// in the unit's transaction.
    /// </summary>
    public Task SaveAsync(string source, IReadOnlyList<RecordToStore> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return work.ExecuteAsync(
            """
            INSERT INTO stepupdown.child_records (source, child_id, version, level_code, nhs_number, record, gp_owed, stored_at)
            SELECT @source, r.child_id, r.version, r.level_code, r.nhs_number, r.record::jsonb, r.gp_owed, @now
            FROM unnest(@childIds, @versions, @levels, @nhsNumbers, @records, @gpOwed) AS r(child_id, version, level_code, nhs_number, record, gp_owed)
            ON CONFLICT (source, child_id) DO UPDATE
               SET version = EXCLUDED.version, level_code = EXCLUDED.level_code, nhs_number = EXCLUDED.nhs_number,
                   record = EXCLUDED.record, gp_owed = EXCLUDED.gp_owed, stored_at = EXCLUDED.stored_at
             WHERE stepupdown.child_records.version < EXCLUDED.version;

            DELETE FROM stepupdown.child_external_ids WHERE source = @source AND child_id = ANY(@childIds);
            INSERT INTO stepupdown.child_external_ids (source, child_id, named_key)
            SELECT @source, e.child_id, e.named_key FROM unnest(@namingChildIds, @namedKeys) AS e(child_id, named_key)
            ON CONFLICT DO NOTHING;
            """,
            new
            {
                source,
                now = work.Now,
                childIds = records.Select(r => r.ChildId).ToArray(),
                versions = records.Select(r => r.Version).ToArray(),
                levels = records.Select(r => r.LevelCode).ToArray(),
                nhsNumbers = records.Select(r => r.NhsNumber).ToArray(),
                namingChildIds = records.SelectMany(r => r.ExternalKeys.Select(_ => r.ChildId)).ToArray(),
                namedKeys = records.SelectMany(r => r.ExternalKeys).ToArray(),
                records = records.Select(r => r.Json).ToArray(),
                gpOwed = records.Select(r => r.GpOwed).ToArray(),
            });
    }

    // Each branch of the load reads by its own index; a record matched twice comes back twice and
    // the caller keeps one. (A single OR, or a join over the union, made PostgreSQL scan the table.)
    // When the child's last episode ended: the steps that end one (DetectedStep.EndsAnEpisode,
    // stored as steps.ends_episode).
    private const string StoredRowColumns =
        """
        SELECT r.source, r.child_id AS ChildId, r.level_code AS LevelCode, r.record::text AS Json,
               (SELECT max(s.occurred_on) FROM stepupdown.steps s
                 WHERE s.source = r.source AND s.child_id = r.child_id AND s.ends_episode)::timestamp AS LastStepDownOn,
               EXISTS (SELECT 1 FROM stepupdown.child_records o
                        WHERE o.source = r.source AND o.nhs_number = r.nhs_number AND o.child_id <> r.child_id) AS NhsNumberShared,
               r.gp_owed AS GpOwed
          FROM stepupdown.child_records r
        """;

    /// <summary>
    /// The stored records of a page's children in its source and of the same children in other
    /// sources (same NHS number, or an external id naming or named by them), in one round trip.
    /// </summary>
    public async Task<IReadOnlyList<StoredRow>> LoadAsync(string source, PageSubjects subjects)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var ownKeys = subjects.ChildIds.Select(id => ChildIdentity.KeyOf(source, id)).ToArray();
        return await work.QueryAsync<StoredRow>(
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
            new { source, childIds = subjects.ChildIds, nhsNumbers = subjects.NhsNumbers, namedKeys = subjects.NamedKeys, ownKeys });
    }

    /// <summary>Of the page's (child id, NHS number) pairs, the child ids whose number another child in the source holds.</summary>
    public async Task<IReadOnlyList<string>> SharedNhsNumbersAsync(string source, string[] childIds, string[] nhsNumbers) =>
        await work.QueryAsync<string>(
            """
            SELECT p.child_id FROM unnest(@childIds, @nhsNumbers) AS p(child_id, nhs)
             WHERE EXISTS (SELECT 1 FROM stepupdown.child_records r WHERE r.source = @source AND r.nhs_number = p.nhs AND r.child_id <> p.child_id)
            """,
            new { source, childIds, nhsNumbers });

    /// <summary>
    /// Of <paramref name="childIds"/> in <paramref name="source"/>, those erased or purged, each with
    /// the version it was erased at and the level code it was stored at, where the tombstone kept
    /// one (the tombstone is found by the keyed hash of the id).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, (long Version, string? LevelCode)>> ErasedVersionsAsync(string source, string[] childIds)
    {
        var rows = await work.QueryAsync<(string ChildId, long Version, string? LevelCode)>(
            """
            SELECT c.child_id, t.erased_version, t.level_code
              FROM unnest(@childIds) AS c(child_id)
              JOIN stepupdown.tombstones t ON t.source = @source AND t.child_hash = stepupdown.child_hash(c.child_id)
            """,
            new { source, childIds });
        return rows.ToDictionary(r => r.ChildId, r => (r.Version, r.LevelCode), StringComparer.Ordinal);
    }

    /// <summary>
    /// SQL that leaves a tombstone for each (source, child_id, version, level_code) row of
    /// <paramref name="rows"/> (a query or CTE name), keeping the highest version erased and the
    /// level it was stored at.
    /// </summary>
    public static string LeaveTombstones(string rows) =>
        $"""
        INSERT INTO stepupdown.tombstones (source, child_hash, erased_version, level_code, erased_at)
        SELECT r.source, stepupdown.child_hash(r.child_id), r.version, r.level_code, @now FROM {rows} r
        ON CONFLICT (source, child_hash) DO UPDATE
           SET erased_version = GREATEST(stepupdown.tombstones.erased_version, EXCLUDED.erased_version),
               level_code = CASE WHEN EXCLUDED.erased_version >= stepupdown.tombstones.erased_version THEN EXCLUDED.level_code ELSE stepupdown.tombstones.level_code END,
               erased_at = EXCLUDED.erased_at
        """;

    /// <summary>
    /// Who the children <paramref name="childIds"/> of <paramref name="source"/> are, from their
    /// stored columns (NHS number, external ids), so that their linked records load in one round
    /// trip with each record read and parsed once.
    /// </summary>
    public async Task<PageSubjects> SubjectsOfAsync(string source, string[] childIds)
    {
        var identities = await work.QueryAsync<(string? NhsNumber, string[] NamedKeys)>(
            """
            SELECT r.nhs_number,
                   ARRAY(SELECT e.named_key FROM stepupdown.child_external_ids e WHERE e.source = r.source AND e.child_id = r.child_id)
              FROM stepupdown.child_records r WHERE r.source = @source AND r.child_id = ANY(@childIds)
            """,
            new { source, childIds });
        return new PageSubjects(
            childIds,
            identities.Select(i => i.NhsNumber).Where(NhsNumber.IdentifiesAChild).OfType<string>().Distinct(StringComparer.Ordinal).ToArray(),
            identities.SelectMany(i => i.NamedKeys).Distinct(StringComparer.Ordinal).ToArray());
    }

    /// <summary>Records whether the child's GP is still owed the current plan (<c>NotificationRules.GpStillOwed</c>), in the unit's transaction.</summary>
    public Task RecordGpOwedAsync(string source, string childId, bool owed) =>
        work.ExecuteAsync(
            "UPDATE stepupdown.child_records SET gp_owed = @owed WHERE source = @source AND child_id = @childId AND gp_owed <> @owed",
            new { source, childId, owed });
}
