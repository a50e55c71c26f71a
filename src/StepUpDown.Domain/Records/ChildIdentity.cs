namespace StepUpDown.Domain.Records;

/// <summary>
/// How records in different sources are known to be the same child: the same valid NHS number,
/// or an external id that names the other record (in either direction).
/// </summary>
public static class ChildIdentity
{
    /// <summary>The key of a record in its source, as external ids name it: <c>source|childId</c>.</summary>
    public static string KeyOf(string source, string childId) => $"{source}|{childId}";

    /// <summary>The keys of the other-system records this record names in <c>externalIds</c>.</summary>
    public static IReadOnlyList<string> ExternalKeys(ChildRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (record.ExternalIds ?? [])
            .Where(e => !string.IsNullOrWhiteSpace(e.System) && !string.IsNullOrWhiteSpace(e.Id))
            .Select(e => KeyOf(e.System, e.Id))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Of one source's (child id, NHS number) pairs, the children whose number another child of
    /// them holds: a number two children hold identifies neither.
    /// </summary>
    public static IReadOnlySet<string> ChildrenSharingANumber(IEnumerable<(string ChildId, string NhsNumber)> children)
    {
        ArgumentNullException.ThrowIfNull(children);
        return children
            .GroupBy(c => c.NhsNumber, StringComparer.Ordinal)
            .Where(holders => holders.Select(c => c.ChildId).Distinct(StringComparer.Ordinal).Count() > 1)
            .SelectMany(holders => holders.Select(c => c.ChildId))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Two records that each hold a usable NHS number, and not the same one, are two children,
    /// whatever their <c>externalIds</c> say: linking them would put one child's lead, plan and GP
    /// in the other's notices.
    /// </summary>
    public static bool NumbersDisagree(string? usableNumber, string? otherUsableNumber) =>
        usableNumber is not null && otherUsableNumber is not null && !string.Equals(usableNumber, otherUsableNumber, StringComparison.Ordinal);

    /// <summary>
    /// The NHS number to match on and to write to a GP by, or null when it is missing, fails the
    /// check, is a placeholder (<see cref="NhsNumber.IdentifiesAChild"/>) or is held by another
    /// child in the same source (<paramref name="sharedInSource"/>): such a number identifies nobody.
    /// </summary>
    public static string? UsableNhsNumber(ChildRecord record, bool sharedInSource = false)
    {
        ArgumentNullException.ThrowIfNull(record);
        return !sharedInSource && NhsNumber.IdentifiesAChild(record.NhsNumber) ? record.NhsNumber : null;
    }
}
