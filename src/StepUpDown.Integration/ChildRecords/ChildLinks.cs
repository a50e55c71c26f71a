using System.Text.Json;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;

using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.ChildRecords;

/// <summary>One of a child's stored records, read, with its level.</summary>
/// <param name="Row">The stored row.</param>
/// <param name="Record">Its record.</param>
/// <param name="Level">Its level on the continuum.</param>
public sealed record LinkedChildRecord(StoredRow Row, ChildRecord Record, Level Level);

/// <summary>What a search for a child found.</summary>
/// <param name="Asked">The record asked for (by source and id, or the one that holds the NHS number); null when none is stored.</param>
/// <param name="Records">It and every record linked to it, one per (source, id).</param>
/// <param name="Ambiguous">The NHS number asked for is held by two children in one source: it identifies nobody.</param>
public sealed record ChildSearch(LinkedChildRecord? Asked, IReadOnlyList<LinkedChildRecord> Records, bool Ambiguous = false);

/// <summary>
/// Finds a child's records across the case systems by the rules of detection: the same usable
/// NHS number, or an external id naming or named by the other.
/// </summary>
public static class ChildLinks
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The child of <paramref name="source"/>/<paramref name="childId"/>, or (with no source) of <paramref name="nhsNumber"/>.</summary>
    public static async Task<ChildSearch> FindAsync(UnitOfWork work, ContinuumOfNeed continuum, string? source, string? childId, string? nhsNumber)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(continuum);
        var starts = await work.QueryAsync<(string Source, string ChildId, string Json)>(
            """
            SELECT source, child_id, record::text FROM stepupdown.child_records
             WHERE (source = @source AND child_id = @childId) OR (@source IS NULL AND nhs_number = @nhsNumber)
             ORDER BY source, child_id
            """,
            new { source, childId, nhsNumber });
        if (starts.Count == 0)
        {
            return new ChildSearch(null, []);
        }

        if (starts.GroupBy(s => s.Source).Any(inOneSource => inOneSource.Count() > 1))
        {
            return new ChildSearch(null, [], Ambiguous: true);
        }

        var found = starts[0];
        var record = JsonSerializer.Deserialize<ChildRecord>(found.Json, JsonOptions)!;
        var subjects = new PageSubjects([found.ChildId], ChildIdentity.UsableNhsNumber(record) is { } usable ? [usable] : [], [.. ChildIdentity.ExternalKeys(record)]);
        var rows = (await new ChildStore(work).LoadAsync(found.Source, subjects))
            .DistinctBy(row => (row.Source, row.ChildId))
            .Select(row => new LinkedChildRecord(row, JsonSerializer.Deserialize<ChildRecord>(row.Json, JsonOptions)!, continuum.Get(row.LevelCode)))
            .ToList();

        // What was loaded is what might be linked; which records are the same child is detection's
        // rule (LinkedRecords): a number two children hold in one source links neither of them.
        var context = new LinkedRecords(rows.Select(r => new StoredRecord(new SourceRecord(r.Row.Source, r.Record, r.Level) { NhsNumberShared = r.Row.NhsNumberShared }, null)));
        var asked = rows.First(r => r.Row.Source == found.Source && r.Row.ChildId == found.ChildId);
        var linked = context.RelatedTo(context.Find(found.Source, found.ChildId)!.Record)
            .Select(related => rows.First(r => r.Row.Source == related.Record.Source && r.Row.ChildId == related.Record.Record.ChildId));
        return new ChildSearch(asked, [asked, .. linked]);
    }
}
