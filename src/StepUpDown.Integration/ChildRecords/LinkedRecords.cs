using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;

namespace StepUpDown.Integration.ChildRecords;

/// <summary>A stored record as loaded for a page, with when its child last stepped down in that source.</summary>
/// <param name="Record">The record.</param>
/// <param name="LastStepDownOn">When its child last stepped down in that source.</param>
/// <param name="GpNoticeWithheld">A GP notice about the child was withheld for want of a valid NHS number, and none has gone since.</param>
public sealed record StoredRecord(SourceRecord Record, DateOnly? LastStepDownOn, bool GpNoticeWithheld = false);

/// <summary>An open agreed step down of a child, as the handover that tracks it stores it.</summary>
/// <param name="Id">The handover.</param>
/// <param name="Source">The source of the record that agreed it.</param>
/// <param name="ChildId">The child's id there.</param>
/// <param name="Target">The continuum level agreed; null where the code did not map.</param>
/// <param name="HeldFrom">The level a held fall below the target came from; null when none is held.</param>
public sealed record OpenAgreement(Guid Id, string Source, string ChildId, Level? Target, Level? HeldFrom);

/// <summary>
/// The read model of a set of children (a page's, the open handovers'): what is stored of each
/// and of every record known to be the same child in another source, loaded in one round trip
/// (<see cref="ChildStore.LoadAsync"/>) and indexed by detection's matching rule. The poller
/// updates it as a page is processed, so a child that appears twice in one page is compared with
/// its own earlier version.
/// </summary>
public sealed class LinkedRecords
{
    private readonly Dictionary<string, StoredRecord> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _byNhsNumber = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _byNamedKey = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, OpenAgreement> _agreements = [];
    private readonly Dictionary<string, Tombstone> _erased = new(StringComparer.Ordinal);

    /// <summary>Indexes the stored records and the open agreed step downs of their children.</summary>
    public LinkedRecords(IEnumerable<StoredRecord> stored, IEnumerable<OpenAgreement>? agreements = null)
    {
        ArgumentNullException.ThrowIfNull(stored);
        foreach (var record in stored)
        {
            Put(record);
        }

        foreach (var agreement in agreements ?? [])
        {
            Put(agreement);
        }
    }

    /// <summary>The open agreed step downs of a child, given all its records.</summary>
    public IReadOnlyList<OpenAgreement> AgreementsOf(IEnumerable<SourceRecord> child)
    {
        var keys = child.Select(r => ChildIdentity.KeyOf(r.Source, r.Record.ChildId)).ToHashSet(StringComparer.Ordinal);
        return _agreements.Values.Where(a => keys.Contains(ChildIdentity.KeyOf(a.Source, a.ChildId))).ToArray();
    }

    /// <summary>Adds or replaces what is known of an open agreed step down.</summary>
    public void Put(OpenAgreement agreement)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        _agreements[agreement.Id] = agreement;
    }

    /// <summary>Notes that this child of this source was erased or purged: its tombstone.</summary>
    public void PutErased(string source, string childId, Tombstone tombstone) => _erased[ChildIdentity.KeyOf(source, childId)] = tombstone;

    /// <summary>The tombstone this child of this source left when erased or purged; null when it was not (or has been adopted again).</summary>
    public Tombstone? ErasedAt(string source, string childId) =>
        Find(source, childId) is null && _erased.TryGetValue(ChildIdentity.KeyOf(source, childId), out var tombstone) ? tombstone : null;

    /// <summary>The stored record of this child in this source, if any.</summary>
    public StoredRecord? Find(string source, string childId) =>
        _byKey.GetValueOrDefault(ChildIdentity.KeyOf(source, childId));

    /// <summary>The child's stored records in other sources.</summary>
    public IReadOnlyList<StoredRecord> RelatedTo(SourceRecord current)
    {
        ArgumentNullException.ThrowIfNull(current);

        // externalIds never link two records that hold different valid NHS numbers: two children.
        return Candidates(current).Where(r => !ChildIdentity.NumbersDisagree(current.UsableNhsNumber, r.Record.UsableNhsNumber)).ToArray();
    }

    /// <summary>
    /// The records in other sources that <c>externalIds</c> say are this child (naming it, or named
    /// by it) but that hold another valid NHS number: not linked (<see cref="RelatedTo"/>), and a
    /// conflict for the MASSH to match.
    /// </summary>
    public IReadOnlyList<StoredRecord> ConflictingWith(SourceRecord current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return Candidates(current).Where(r => ChildIdentity.NumbersDisagree(current.UsableNhsNumber, r.Record.UsableNhsNumber)).ToArray();
    }

    /// <summary>Every stored record in another source that shares the child's usable NHS number or an external id with it.</summary>
    private IEnumerable<StoredRecord> Candidates(SourceRecord current)
    {
        var (source, record) = (current.Source, current.Record);
        var ownKey = ChildIdentity.KeyOf(source, record.ChildId);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (current.UsableNhsNumber is { } nhs && _byNhsNumber.TryGetValue(nhs, out var sameNhs))
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
            .Where(r => !string.Equals(r.Record.Source, source, StringComparison.Ordinal));
    }

    /// <summary>Replaces what is known of a record's child in its source.</summary>
    public void Put(StoredRecord stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var record = stored.Record.Record;
        var key = ChildIdentity.KeyOf(stored.Record.Source, record.ChildId);
        _byKey[key] = stored;
        if (stored.Record.UsableNhsNumber is { } nhs)
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
