using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Handovers;

/// <summary>What is known of an open handover when it is reviewed.</summary>
/// <param name="StartedOn">The agreement date, or the day of an unplanned step down: working days count from it.</param>
/// <param name="Agreement">The step down as last recorded; null for an unplanned one nobody recorded.</param>
/// <param name="LeadAccepted">A record shows the proposed lead as lead with <c>acceptedOn</c>.</param>
/// <param name="GpNotified">The GP's step down notice is recorded as sent.</param>
/// <param name="SteppedBackUp">The child stepped up again after the handover opened.</param>
/// <param name="Superseded">A later agreement replaced this one.</param>
/// <param name="LastStageSent">The highest ladder stage already sent; null for none.</param>
/// <param name="LevelRecorded">The child's combined level has fallen since the agreement.</param>
/// <param name="LastStageSentOn">When <paramref name="LastStageSent"/> was last sent; null when not known.</param>
/// <param name="CaseEnded">Why the case ended with no step down to hand over (the child died, the case moved to another council); null while it has not.</param>
/// <param name="AcceptedByReply">The proposed lead accepted by reply: the ladder no longer chases acceptance (the case system must still record it).</param>
/// <param name="DeclinedByReply">The proposed lead declined by reply, with this reason (empty for none given): a recorded disagreement.</param>
/// <param name="DeclineTold">The managers have been sent the decline.</param>
public sealed record HandoverFacts(
    DateOnly StartedOn,
    StepDownAgreement? Agreement,
    bool LeadAccepted,
    bool GpNotified,
    bool SteppedBackUp,
    bool Superseded,
    int? LastStageSent,
    bool LevelRecorded = true,
    DateOnly? LastStageSentOn = null,
    string? CaseEnded = null,
    bool AcceptedByReply = false,
    string? DeclinedByReply = null,
    bool DeclineTold = false);

/// <summary>What to do with an open handover.</summary>
public abstract record HandoverDecision
{
    /// <summary>Nothing is due yet.</summary>
    /// <param name="Missing">What is still missing.</param>
    /// <param name="WorkingDays">Working days since it started.</param>
    public sealed record Wait(IReadOnlyList<ChecklistItem> Missing, int WorkingDays) : HandoverDecision;

    /// <summary>Withdrawn (<c>withdrawnOn</c>), superseded by a later agreement, the child stepped back up, died or moved to another council: the ladder stops.</summary>
    /// <param name="Reason">Why, in words for the dashboard.</param>
    public sealed record Withdraw(string Reason) : HandoverDecision;

    /// <summary>Every item holds: tell the GP and the MASSH who now leads.</summary>
    /// <param name="WorkingDays">How long it took, in working days.</param>
    public sealed record Complete(int WorkingDays) : HandoverDecision;

    /// <summary>Send this ladder stage (the highest one due, never an earlier one late).</summary>
    /// <param name="Stage">Index of the stage in the ladder.</param>
    /// <param name="Missing">What is still missing.</param>
    /// <param name="WorkingDays">Working days since it started.</param>
    /// <param name="Repeat">The last stage sent again, the handover still stalled after it.</param>
    /// <param name="Declined">Sent for the proposed lead's decline by reply: the managers read their reason.</param>
    public sealed record Escalate(int Stage, IReadOnlyList<ChecklistItem> Missing, int WorkingDays, bool Repeat = false, bool Declined = false) : HandoverDecision;
}

/// <summary>Reviews an open handover: withdrawn, complete, a ladder stage due, or wait. Pure: today is given.</summary>
public static class HandoverReview
{
    /// <summary>The decision for <paramref name="facts"/> on <paramref name="today"/>.</summary>
    /// <exception cref="CalendarExhaustedException">Today or the start is outside the bank holiday calendar.</exception>
    public static HandoverDecision Decide(HandoverFacts facts, DateOnly today, WorkingDayCalendar calendar, EscalationLadder ladder)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(ladder);
        if (facts.CaseEnded is { } ended)
        {
            return new HandoverDecision.Withdraw(ended);
        }

        if (facts.Agreement?.WithdrawnOn is not null)
        {
            return new HandoverDecision.Withdraw("the step down was withdrawn in the case system");
        }

        if (facts.Superseded)
        {
            return new HandoverDecision.Withdraw("a later step down agreement replaced it");
        }

        if (facts.SteppedBackUp)
        {
            return new HandoverDecision.Withdraw("the child stepped back up");
        }

        var workingDays = calendar.WorkingDaysBetween(facts.StartedOn, today);
        var missing = HandoverChecklist.Missing(facts.Agreement, facts.LeadAccepted, facts.GpNotified, facts.LevelRecorded);
        if (missing.Count == 0)
        {
            return new HandoverDecision.Complete(workingDays);
        }

        // Accepted by reply: the ladder no longer chases acceptance, though the handover completes
        // only when the case system records it.
        var chased = facts.AcceptedByReply ? missing.Where(item => item != ChecklistItem.LeadAccepted).ToArray() : missing;
        var declined = facts.DeclinedByReply is not null;
        var disagreement = declined || !string.IsNullOrWhiteSpace(facts.Agreement?.Disagreement);
        if (chased.Count == 0 || ladder.DueStage(workingDays, disagreement) is not { } due)
        {
            return new HandoverDecision.Wait(missing, workingDays);
        }

        if (declined && !facts.DeclineTold)
        {
            // The managers hear the decline (and its reason) once, even when the stage was sent before.
            return new HandoverDecision.Escalate(due, chased, workingDays, Declined: true);
        }

        if (facts.LastStageSent is null || due > facts.LastStageSent)
        {
            return new HandoverDecision.Escalate(due, chased, workingDays);
        }

        return RepeatDue(facts, today, calendar, ladder)
            ? new HandoverDecision.Escalate(ladder.LastStage, chased, workingDays, Repeat: true)
            : new HandoverDecision.Wait(missing, workingDays);
    }

    /// <summary>
    /// True when a fall below an agreed step down's target, held since <paramref name="heldSince"/>
    /// for the record at the target to arrive, has waited its settling window out (design:
    /// "Out-of-order step down"): it is now a step down to the lower level.
    /// </summary>
    public static bool SettlingEnded(DateOnly heldSince, DateOnly today, WorkingDayCalendar calendar, int settlingWorkingDays)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return calendar.WorkingDaysBetween(heldSince, today) >= settlingWorkingDays;
    }

    /// <summary>The last stage was sent and the ladder's repeat interval has passed since.</summary>
    private static bool RepeatDue(HandoverFacts facts, DateOnly today, WorkingDayCalendar calendar, EscalationLadder ladder) =>
        ladder.RepeatLastStageWorkingDays > 0
        && facts.LastStageSent == ladder.LastStage
        && facts.LastStageSentOn is { } sentOn
        && calendar.WorkingDaysBetween(sentOn, today) >= ladder.RepeatLastStageWorkingDays;
}
