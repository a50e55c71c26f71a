using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;

namespace StepUpDown.Integration.ChildRecords;

/// <summary>
/// What an erased or purged child of a source left behind (design: Guarantees, Retention): the
/// version erased and the level it was stored at, no personal data.
/// </summary>
/// <param name="Version">The version erased: that and older versions, read again, stay erased.</param>
/// <param name="Level">The level the child was at; null for a tombstone left before levels were kept, or a level the continuum no longer has.</param>
public sealed record Tombstone(long Version, Level? Level)
{
    /// <summary>
    /// A later version above the level the child was at is news (a case reopened at child
    /// protection after a purge): it is judged as a step from that level. At the same level or
    /// lower, or with no level kept, it is adopted quietly, as a baseline.
    /// </summary>
    public bool IsNews(SourceRecord current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return Level is { } was && current.Level.Rank > was.Rank;
    }

    /// <summary>The child as the tombstone remembers it, to judge <paramref name="current"/> against: its own record at the erased version and level, with no history.</summary>
    public StoredRecord AsPrevious(SourceRecord current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new StoredRecord(current with { Record = current.Record with { Version = Version }, Level = Level ?? current.Level }, LastStepDownOn: null);
    }
}
