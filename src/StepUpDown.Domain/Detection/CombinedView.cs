using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Detection;

/// <summary>
/// The child as every linked record shows it after a step (design: "Notice content comes from the
/// child's current combined view"): who leads and the plan are those of the highest open record,
/// not of the record that changed. A social worker whose CIN record has just closed is not the
/// person a GP should now call; the early-help lead holding the case is.
/// </summary>
public static class CombinedView
{
    /// <summary>
    /// The record notices of a step are written from: <paramref name="current"/>'s identity, GP
    /// practice, services and agreement, with the lead professional, plan and team of the highest
    /// open record among it and <paramref name="related"/> (the current one on a tie). With no
    /// record open the case is closed: the plan has ended, and the last lead is kept for contact.
    /// </summary>
    public static ChildRecord For(SourceRecord current, IReadOnlyList<SourceRecord> related)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(related);
        return Combined(current, related);
    }

    /// <summary>
    /// True for the steps about the child as a whole (level steps, closure, GP practice, NHS
    /// number), whose notices are written from <see cref="For"/>; false for the steps about one
    /// record's own people and services (its lead professional, its agreement and proposed lead, a
    /// service joining or leaving its team), written from that record: the MASSH told that a lead
    /// has accepted must read that lead's name, not another system's.
    /// </summary>
    public static bool IsAboutTheWholeChild(StepKind kind) =>
        kind is not (StepKind.LeadProfessionalChanged or StepKind.LeadProfessionalAccepted
            or StepKind.StepDownAgreed or StepKind.ProposedLeadNamed or StepKind.StepIn or StepKind.StepOut);

    /// <summary>
    /// The child's GP practice now: as the most recently updated open record names it, never a
    /// practice only a closed record still holds; with no open record naming one, null.
    /// </summary>
    public static GpPracticeRef? GpPracticeOf(IEnumerable<SourceRecord> child)
    {
        ArgumentNullException.ThrowIfNull(child);
        return child.Where(r => r.IsOpen && !string.IsNullOrWhiteSpace(r.Record.GpPractice?.OdsCode))
            .MaxBy(r => r.Record.UpdatedAt)?.Record.GpPractice;
    }

    /// <summary>
    /// The record that holds the case: the highest open one (the first of <paramref name="child"/>
    /// on a tie); null when none is open. Its lead leads the child, its plan is the plan.
    /// </summary>
    public static SourceRecord? Holder(IEnumerable<SourceRecord> child)
    {
        ArgumentNullException.ThrowIfNull(child);
        return child.Where(r => r.IsOpen).MaxBy(r => r.Level.Rank);
    }

    private static ChildRecord Combined(SourceRecord current, IReadOnlyList<SourceRecord> related)
    {
        var child = related.Prepend(current).ToArray();
        var holder = Holder(child);
        var practice = GpPracticeOf(child) ?? current.Record.GpPractice;
        if (holder is null)
        {
            return current.Record with { Plan = null, GpPractice = practice };
        }

        return ReferenceEquals(holder, current)
            ? current.Record with { GpPractice = practice }
            : current.Record with
            {
                LeadProfessional = holder.Record.LeadProfessional,
                Plan = holder.Record.Plan,
                AllocatedTeam = holder.Record.AllocatedTeam,
                GpPractice = practice,
            };
    }
}
