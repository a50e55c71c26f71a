namespace StepUpDown.Domain.Handovers;

/// <summary>
/// What a handover message says beyond the record it is written from, stored with its step
/// (<c>steps.details</c>): the ladder stage, what is still missing and for how long.
/// </summary>
/// <param name="StageName">The ladder stage; null for the completion notice.</param>
/// <param name="FinalStage">True for the ladder's last stage.</param>
/// <param name="WorkingDays">Working days since the agreement (or the unplanned fall); the duration once complete.</param>
/// <param name="Missing">The checklist items still missing, as the email words them.</param>
/// <param name="StartedOn">The agreement date, or the day of an unplanned fall.</param>
/// <param name="Planned">False for an unplanned step down.</param>
/// <param name="NextStageName">What comes next if the handover stays stalled (a stage's name); null when nothing will.</param>
/// <param name="NextStageOn">The day it comes.</param>
/// <param name="AcceptedByReplyOn">The day the proposed lead accepted by reply; null when they have not.</param>
/// <param name="DeclineReason">The proposed lead's reason for declining by reply, their own words (plain text, at most 500 characters): for the managers only.</param>
public sealed record HandoverDetails(
    string? StageName, bool FinalStage, int WorkingDays, IReadOnlyList<string> Missing, DateOnly StartedOn, bool Planned,
    string? NextStageName = null, DateOnly? NextStageOn = null, DateOnly? AcceptedByReplyOn = null, string? DeclineReason = null);
