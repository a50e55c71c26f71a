using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.ChildRecords;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>
/// Loads, in the page's transaction, what detection needs of a page's children: their stored
/// records and every record linked to them, their open agreed step downs, the erased ones'
/// tombstones, whether each child's GP is still owed the plan, and which NHS numbers two children share.
/// </summary>
internal sealed class PageContextLoader(ContinuumOfNeed continuum, FeedItemParser parser)
{
    /// <summary>What is stored of the page's children, and marks the page's records whose NHS number another child holds.</summary>
    public async Task<LinkedRecords> LoadAsync(UnitOfWork work, string source, List<ParsedItem> parsed)
    {
        var children = new ChildStore(work);
        await MarkSharedNhsNumbersAsync(children, source, parsed);
        var records = parsed.Select(p => p.Record).OfType<SourceRecord>().ToList();
        var subjects = new PageSubjects(
            records.Select(r => r.Record.ChildId).Distinct(StringComparer.Ordinal).ToArray(),
            records.Select(r => r.UsableNhsNumber).OfType<string>().Distinct(StringComparer.Ordinal).ToArray(),
            records.SelectMany(r => ChildIdentity.ExternalKeys(r.Record)).Distinct(StringComparer.Ordinal).ToArray());
        var rows = await children.LoadAsync(source, subjects);
        var keys = rows.Select(r => (r.Source, r.ChildId)).Concat(records.Select(r => (r.Source, r.Record.ChildId))).Distinct().ToArray();
        var agreements = await new HandoverStore(work).OpenAgreementsAsync(keys.Select(k => k.Source).ToArray(), keys.Select(k => k.Item2).ToArray());
        var context = new LinkedRecords(
            rows.Select(row => row.ToStoredRecord(continuum, parser.AgreedTarget)),
            agreements.Select(a => new OpenAgreement(a.Id, a.Source, a.ChildId, LevelOrNull(a.Target), LevelOrNull(a.HeldFrom))));

        var unknown = records.Select(r => r.Record.ChildId).Where(id => context.Find(source, id) is null).Distinct(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            foreach (var (childId, (version, levelCode)) in await children.ErasedVersionsAsync(source, unknown))
            {
                context.PutErased(source, childId, new Tombstone(version, LevelOrNull(levelCode)));
            }
        }

        return context;
    }

    /// <summary>
    /// A number held by two different children in one source identifies nobody: marks the page's
    /// records whose number another child holds, in storage or in the same page.
    /// </summary>
    private static async Task MarkSharedNhsNumbersAsync(ChildStore children, string source, List<ParsedItem> parsed)
    {
        var withNumbers = parsed.Select(p => p.Record).OfType<SourceRecord>().Where(r => r.UsableNhsNumber is not null).ToArray();
        var shared = ChildIdentity.ChildrenSharingANumber(withNumbers.Select(r => (r.Record.ChildId, r.UsableNhsNumber!))).ToHashSet(StringComparer.Ordinal);
        if (withNumbers.Length > 0)
        {
            shared.UnionWith(await children.SharedNhsNumbersAsync(
                source, withNumbers.Select(r => r.Record.ChildId).ToArray(), withNumbers.Select(r => r.UsableNhsNumber!).ToArray()));
        }

        for (var i = 0; i < parsed.Count; i++)
        {
            if (parsed[i].Record is { } record && shared.Contains(record.Record.ChildId))
            {
                parsed[i] = parsed[i] with { Record = record with { NhsNumberShared = true } };
            }
        }
    }

    private Level? LevelOrNull(string? code) => code is not null && continuum.TryGet(code, out var level) ? level : null;
}
