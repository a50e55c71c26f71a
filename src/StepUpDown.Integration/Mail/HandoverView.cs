namespace StepUpDown.Integration.Mail;

/// <summary>A handover's state, for the ladder's messages and the completion notice.</summary>
/// <param name="StageName">The ladder stage; null for the completion notice.</param>
/// <param name="IsFinalStage">True for the ladder's last stage.</param>
/// <param name="WorkingDays">Working days since it started; the duration once complete.</param>
/// <param name="Missing">What is still missing.</param>
/// <param name="StartedOn">The agreement date, or the day of an unplanned fall.</param>
/// <param name="IsPlanned">False for an unplanned step down.</param>
/// <param name="NextStageName">The stage that comes next if it stays stalled; null when none will.</param>
/// <param name="NextStageOn">The day it comes.</param>
/// <param name="AcceptedByReplyOn">The day the proposed lead accepted by reply, if they did.</param>
/// <param name="DeclineReason">The proposed lead's reason for declining by reply (empty: none given); null when they did not decline.</param>
public sealed record HandoverView(
    string? StageName, bool IsFinalStage, int WorkingDays, IReadOnlyList<string> Missing, string? StartedOn, bool IsPlanned,
    string? NextStageName = null, string? NextStageOn = null, string? AcceptedByReplyOn = null, string? DeclineReason = null);
