namespace StepUpDown.Domain.Records;

/// <summary>
/// The closure reasons the contract documents (<c>closureReason</c>; design: Closures that are not
/// step downs). Two closures are not step downs and are never told as one: the child died, or the
/// case moved to another council. Any other text (<c>needs-met</c>, <c>no-further-action</c>,
/// <c>referred-to-early-help</c>, a case system's own words) is a routine closure.
/// </summary>
public static class Closures
{
    /// <summary>The child died (the SSD's CIN closure code RC2, or a death date).</summary>
    public const string Died = "died";

    /// <summary>The case moved to another council (RC5); <c>transferredTo</c> names it, where the record does.</summary>
    public const string TransferredOut = "transferred-out";

    /// <summary>The child's needs were met.</summary>
    public const string NeedsMet = "needs-met";

    /// <summary>No further action was needed.</summary>
    public const string NoFurtherAction = "no-further-action";

    /// <summary>The case went to early help.</summary>
    public const string ReferredToEarlyHelp = "referred-to-early-help";

    /// <summary>The record is closed because the child died.</summary>
    public static bool ChildDied(ChildRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.IsClosed && Says(record.ClosureReason, Died);
    }

    /// <summary>The record is closed because the case moved to another council.</summary>
    public static bool MovedAway(ChildRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.IsClosed && Says(record.ClosureReason, TransferredOut);
    }

    /// <summary>
    /// Why a handover of a child with these records ends, in words for the dashboard: the child
    /// died (any record says so), or <paramref name="own"/>, the handover's own record, moved to
    /// another council. Null when neither: the handover goes on.
    /// </summary>
    public static string? EndsTheHandover(ChildRecord own, IEnumerable<ChildRecord> child)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(child);
        return child.Append(own).Any(ChildDied) ? "the child died"
            : MovedAway(own) ? "the case moved to another council"
            : null;
    }

    /// <summary>Case, spaces, underscores and surrounding blanks aside, the reason is <paramref name="documented"/>.</summary>
    private static bool Says(string? reason, string documented) =>
        reason is not null && string.Equals(reason.Trim().Replace('_', '-').Replace(' ', '-'), documented, StringComparison.OrdinalIgnoreCase);
}
