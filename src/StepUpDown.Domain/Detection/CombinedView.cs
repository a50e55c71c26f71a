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
        var holder = related.Prepend(current).Where(r => r.IsOpen).MaxBy(r => r.Level.Rank);
        if (holder is null)
        {
            return current.Record with { Plan = null };
        }

        return ReferenceEquals(holder, current)
            ? current.Record
            : current.Record with
            {
                LeadProfessional = holder.Record.LeadProfessional,
                Plan = holder.Record.Plan,
                AllocatedTeam = holder.Record.AllocatedTeam,
            };
    }
}
