using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Notifications;

namespace StepUpDown.Domain.Handovers;

/// <summary>
/// What is on record of a handover's child beyond its records: the steps of the child's records,
/// those of them whose notice reached the GP, and when each handover of the same record opened.
/// The checklist's facts are read from it here, not in SQL.
/// </summary>
/// <param name="Steps">Every stored step of the child's records.</param>
/// <param name="ToldToGp">The steps of the child's records whose notice to the GP was sent.</param>
/// <param name="HandoversOpenedAt">When each other handover of the handover's own record opened.</param>
public sealed record HandoverHistory(IReadOnlyList<StoredStep> Steps, IReadOnlyList<StoredStep> ToldToGp, IReadOnlyList<DateTime> HandoversOpenedAt)
{
    /// <summary>
    /// The checklist's "GP notified": the GP was sent the notice of a step that tells them of this
    /// step down (<see cref="NotificationRules.GpNotifiedBy"/>: the fall itself, or the current
    /// plan once a withheld notice's NHS number matched) for any of the child's records, found
    /// since the handover opened or occurring since the day it started.
    /// </summary>
    public bool GpNotified(DateTime openedAt, DateOnly startedOn) =>
        ToldToGp.Any(step => NotificationRules.GpNotifiedBy.Contains(step.Kind) && (step.DetectedAt >= openedAt || step.OccurredOn >= startedOn));

    /// <summary>The child stepped up again after the handover opened: it is withdrawn.</summary>
    public bool SteppedBackUp(DateTime openedAt) => Steps.Any(step => step.Kind == StepKind.StepUp && step.DetectedAt > openedAt);

    /// <summary>A later handover of the same record (a new agreement) took this one's place: it is withdrawn.</summary>
    public bool Superseded(DateTime openedAt) => HandoversOpenedAt.Any(opened => opened > openedAt);
}
