using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>A stored record as loaded for a page, with when its child last stepped down in that source.</summary>
/// <param name="Record">The record.</param>
/// <param name="LastStepDownOn">When its child last stepped down in that source.</param>
/// <param name="GpNoticeWithheld">A GP notice about the child was withheld for want of a valid NHS number, and none has gone since.</param>
public sealed record StoredRecord(SourceRecord Record, DateOnly? LastStepDownOn, bool GpNoticeWithheld = false);

/// <summary>
/// What is stored for a page's children and every record known to be the same child in another
/// source, loaded in one round trip and indexed for matching. Updated as the page is processed,
/// so a child that appears twice in one page is compared with its own earlier version.
/// </summary>
public sealed class PageContext
{
    private readonly Dictionary<string, StoredRecord> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _byNhsNumber = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _byNamedKey = new(StringComparer.Ordinal);

    /// <summary>Indexes the stored records.</summary>
    public PageContext(IEnumerable<StoredRecord> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        foreach (var record in stored)
        {
            Put(record);
        }
    }

    /// <summary>The stored record of this child in this source, if any.</summary>
    public StoredRecord? Find(string source, string childId) =>
        _byKey.GetValueOrDefault(ChildIdentity.KeyOf(source, childId));

    /// <summary>The child's stored records in other sources.</summary>
    public IReadOnlyList<StoredRecord> RelatedTo(string source, ChildRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var ownKey = ChildIdentity.KeyOf(source, record.ChildId);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (ChildIdentity.MatchableNhsNumber(record) is { } nhs && _byNhsNumber.TryGetValue(nhs, out var sameNhs))
        {
            keys.UnionWith(sameNhs);
        }

        keys.UnionWith(ChildIdentity.ExternalKeys(record));
        if (_byNamedKey.TryGetValue(ownKey, out var namingMe))
        {
            keys.UnionWith(namingMe);
        }

        return keys
            .Select(key => _byKey.GetValueOrDefault(key))
            .OfType<StoredRecord>()
            .Where(r => !string.Equals(r.Record.Source, source, StringComparison.Ordinal))
            .ToArray();
    }

    /// <summary>Replaces what is known of a record's child in its source.</summary>
    public void Put(StoredRecord stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var record = stored.Record.Record;
        var key = ChildIdentity.KeyOf(stored.Record.Source, record.ChildId);
        _byKey[key] = stored;
        if (ChildIdentity.MatchableNhsNumber(record) is { } nhs)
        {
            AddTo(_byNhsNumber, nhs, key);
        }

        foreach (var named in ChildIdentity.ExternalKeys(record))
        {
            AddTo(_byNamedKey, named, key);
        }
    }

    private static void AddTo(Dictionary<string, List<string>> index, string indexKey, string recordKey)
    {
        if (!index.TryGetValue(indexKey, out var keys))
        {
            index[indexKey] = keys = [];
        }

        if (!keys.Contains(recordKey, StringComparer.Ordinal))
        {
            keys.Add(recordKey);
        }
    }
}
