using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Handovers;

/// <summary>A handover a step opens.</summary>
/// <param name="Id">The id of the step that opened it.</param>
/// <param name="Planned">False for an unplanned step down.</param>
/// <param name="AgreedOn">The agreement date, if any.</param>
/// <param name="StartedOn">Working days count from here: the agreement, or the day of an unplanned fall.</param>
/// <param name="TargetCode">The source's code of the level agreed.</param>
/// <param name="Target">The continuum level agreed, where the code maps.</param>
public sealed record HandoverOpening(Guid Id, bool Planned, DateOnly? AgreedOn, DateOnly StartedOn, string? TargetCode, Level? Target)
{
    /// <summary>
    /// An agreed step down opens a handover; so does an unplanned step down (to a level above
    /// universal), with every item missing. A routine closure to universal opens none: nobody
    /// takes over at universal, so there is nobody to chase.
    /// </summary>
    public static HandoverOpening? OpenedBy(DetectedStep step, SourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(record);
        var agreement = record.Record.StepDown;
        return step switch
        {
            { Kind: StepKind.StepDownAgreed } =>
                new HandoverOpening(step.Id, true, agreement?.AgreedOn, agreement?.AgreedOn ?? step.OccurredOn, agreement?.TargetLevel, record.AgreedTarget),
            { Kind: StepKind.StepDown } when step.Markers.HasFlag(StepMarkers.Unplanned) =>
                new HandoverOpening(step.Id, false, null, step.OccurredOn, null, null),
            _ => null,
        };
    }
}
