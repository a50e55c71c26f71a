using System.Text.Json;
using Microsoft.Extensions.Options;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Notifications;

namespace StepUpDown.Integration.Handovers;

/// <summary>One open handover as a review sees it: its row, the child's records and the agreement as it stands.</summary>
/// <param name="Handover">The handover's row.</param>
/// <param name="Own">The record in the handover's source.</param>
/// <param name="Child">It and every record linked to it.</param>
/// <param name="Agreement">The step down as the source now records it, or as last seen.</param>
/// <param name="History">What the ledger and the steps say of the child: the checklist's facts are read from it.</param>
/// <param name="GpOwed">The child's GP is still owed the current plan (a notice withheld for want of a usable NHS number).</param>
/// <param name="Now">The sweep's time.</param>
internal sealed record HandoverCase(
    OpenHandover Handover, SourceRecord Own, SourceRecord[] Child, StepDownAgreement? Agreement, HandoverHistory History, bool GpOwed, DateTimeOffset Now);

/// <summary>What a review decided and what to write for it, in one transaction.</summary>
/// <param name="Decision">Wait, withdraw, complete or escalate.</param>
/// <param name="ReleaseHold">A held fall has settled: its hold ends (and its step down is among <see cref="Steps"/>).</param>
/// <param name="Steps">The steps the review found, each with its notices.</param>
/// <param name="Row">What to record on the handover's row.</param>
/// <param name="GpOwed">Whether the child's GP is still owed the plan once these notices are planned; null when the review plans none.</param>
internal sealed record HandoverOutcome(
    HandoverDecision Decision, bool ReleaseHold, IReadOnlyList<(StepToStore Step, IReadOnlyList<NotificationToStore> Notices)> Steps, HandoverReviewed Row, bool? GpOwed);

/// <summary>
/// The sweep's review of one handover, with no I/O: settles a held fall whose window has ended,
/// then decides (<see cref="HandoverReview.Decide"/>) and composes the steps, notices and row
/// that decision writes. Step ids are deterministic, so a stage is sent once however often a
/// handover is reviewed.
/// </summary>
internal sealed class HandoverReviewer(
    WorkingDayCalendar calendar, IOptions<HandoverOptions> options, ContinuumOfNeed continuum, NotificationPlanner planner, ReplyAddresses replyAddresses)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The step down as the source now records it; as last seen when the source has dropped the block.</summary>
    public static StepDownAgreement? CurrentAgreement(OpenHandover handover, ChildRecord own)
    {
        ArgumentNullException.ThrowIfNull(handover);
        ArgumentNullException.ThrowIfNull(own);
        if (handover.Planned && own.StepDown is { } current && current.AgreedOn == handover.AgreedOn)
        {
            return current;
        }

        return handover.AgreementJson is null ? null : JsonSerializer.Deserialize<StepDownAgreement>(handover.AgreementJson, JsonOptions);
    }

    /// <summary>Reviews one handover.</summary>
    /// <exception cref="CalendarExhaustedException">A date is outside the bank holiday calendar.</exception>
    public HandoverOutcome Review(HandoverCase handoverCase, EscalationLadder ladder)
    {
        ArgumentNullException.ThrowIfNull(handoverCase);
        ArgumentNullException.ThrowIfNull(ladder);
        var (handover, child, agreement, history) = (handoverCase.Handover, handoverCase.Child, handoverCase.Agreement, handoverCase.History);
        var today = options.Value.DateAt(handoverCase.Now);
        // A child who died, or whose case moved to another council, has no step down to hand over:
        // a held fall is never announced, and the handover is withdrawn.
        var ended = Closures.EndsTheHandover(handoverCase.Own.Record, child.Select(r => r.Record));
        var settled = ended is null ? SettledFall(handoverCase, today) : null;
        var steps = settled is null ? new List<(StepToStore, IReadOnlyList<NotificationToStore>)>() : [settled.Value];
        // An answer by reply counts while its address is still the proposed lead's.
        var answered = replyAddresses.IsGenuine(handover.ReplyToken, handover.Id, agreement?.ProposedLeadProfessional?.Email);
        var facts = new HandoverFacts(
            handover.StartedOn,
            agreement,
            HandoverChecklist.LeadAccepted(agreement, child.Select(r => r.Record)),
            history.GpNotified(handover.OpenedAt, handover.StartedOn),
            history.SteppedBackUp(handover.OpenedAt),
            history.Superseded(handover.OpenedAt),
            handover.LastStage,
            Combined(child).Rank < continuum.Get(handover.FromLevel).Rank,
            handover.LastStageOn,
            ended,
            answered && handover.AcceptedByReplyAt is not null,
            answered && handover.DeclinedByReplyAt is not null ? handover.DeclineReason ?? "" : null,
            handover.DeclineTold);
        var decision = HandoverReview.Decide(facts, today, calendar, ladder);
        var agreementJson = agreement is null ? null : JsonSerializer.Serialize(agreement, JsonOptions);
        HandoverReviewed Row(HandoverState state, IReadOnlyList<ChecklistItem> missing, int? workingDays, int? lastStage = null, string? closedReason = null, DateOnly? stageSentOn = null) =>
            new(state, missing, workingDays, lastStage ?? handover.LastStage, stageSentOn, agreementJson, closedReason);
        var row = decision switch
        {
            HandoverDecision.Wait wait => Row(HandoverState.Open, wait.Missing, wait.WorkingDays),
            HandoverDecision.Withdraw withdraw => Row(HandoverState.Withdrawn, [], null, closedReason: withdraw.Reason),
            HandoverDecision.Complete complete => Row(HandoverState.Complete, [], complete.WorkingDays),
            HandoverDecision.Escalate escalate => Row(HandoverState.Open, escalate.Missing, escalate.WorkingDays, escalate.Stage, stageSentOn: today) with { DeclineTold = escalate.Declined },
            _ => throw new InvalidOperationException($"Unknown decision {decision.GetType().Name}."),
        };
        if (facts is { AcceptedByReply: true, LeadAccepted: false } && decision is HandoverDecision.Wait or HandoverDecision.Escalate)
        {
            steps.Add(AcceptedByReply(handoverCase, today));
        }

        switch (decision)
        {
            case HandoverDecision.Complete complete:
                steps.Add(Completion(handoverCase, complete.WorkingDays));
                break;
            case HandoverDecision.Escalate escalate:
                steps.Add(Stage(handoverCase, ladder, escalate, today, facts.DeclinedByReply));
                break;
        }

        var roles = steps.SelectMany(s => s.Item2).Select(n => n.RecipientRole).ToList();
        return new HandoverOutcome(decision, settled is not null, steps, row, roles.Count == 0 ? null : NotificationRules.GpStillOwed(roles, handoverCase.GpOwed));
    }

    private static Level Combined(IEnumerable<SourceRecord> child) => child.Select(r => r.Level).MaxBy(l => l.Rank)!;

    /// <summary>
    /// A fall below the agreed target, held while the record at the target was awaited, whose
    /// settling window (<c>Handovers:SettlingWorkingDays</c>) has ended with no such record: it is
    /// a step down to the level the child is now at, told as any step down is.
    /// </summary>
    private (StepToStore, IReadOnlyList<NotificationToStore>)? SettledFall(HandoverCase handoverCase, DateOnly today)
    {
        var handover = handoverCase.Handover;
        if (handover.HeldFrom is not { } heldFrom || handover.HeldSince is not { } heldSince
            || !HandoverReview.SettlingEnded(heldSince, today, calendar, options.Value.SettlingWorkingDays))
        {
            return null;
        }

        var step = HandoverStep(handoverCase, StepKind.StepDown, $"{handover.Id:N}:settled", today) with { From = continuum.Get(heldFrom) };
        var related = handoverCase.Child.Where(r => !ReferenceEquals(r, handoverCase.Own)).ToArray();
        return Written(handoverCase, step, CombinedView.For(handoverCase.Own, related), null, planner.Plan([step], handoverCase.Own.UsableNhsNumber is not null));
    }

    /// <summary>The completion notices: the record with the new lead (and their plan) that now holds.</summary>
    private (StepToStore, IReadOnlyList<NotificationToStore>) Completion(HandoverCase handoverCase, int workingDays)
    {
        var own = handoverCase.Own.Record;
        var records = handoverCase.Child.Select(r => r.Record).ToArray();
        var accepting = HandoverChecklist.AcceptingRecord(handoverCase.Agreement, records);
        var combined = CombinedView.For(handoverCase.Own, handoverCase.Child.Where(r => !ReferenceEquals(r, handoverCase.Own)).ToArray());
        var record = own with
        {
            StepDown = handoverCase.Agreement,
            LeadProfessional = HandoverChecklist.AcceptedLead(handoverCase.Agreement, records),
            Plan = accepting?.Plan ?? combined.Plan ?? own.Plan,
            GpPractice = combined.GpPractice,
        };
        var step = HandoverStep(handoverCase, StepKind.StepDownComplete, $"{handoverCase.Handover.Id:N}", options.Value.DateAt(handoverCase.Now));
        var details = new HandoverDetails(null, false, workingDays, [], handoverCase.Handover.StartedOn, handoverCase.Handover.Planned)
        {
            AcceptedByReplyOn = AcceptedByReplyOn(handoverCase),
        };
        return Written(handoverCase, step, record, details, planner.Plan([step], handoverCase.Own.UsableNhsNumber is not null));
    }

    /// <summary>
    /// The proposed lead accepted by reply and the case system does not record it yet: the MASSH is
    /// told who leads now, the allocated team asked to record it. Once per answer (its token names it).
    /// </summary>
    private (StepToStore, IReadOnlyList<NotificationToStore>) AcceptedByReply(HandoverCase handoverCase, DateOnly today)
    {
        var handover = handoverCase.Handover;
        var record = handoverCase.Own.Record with { StepDown = handoverCase.Agreement };
        var step = HandoverStep(handoverCase, StepKind.LeadAcceptedByReply, $"{handover.Id:N}:accepted-by-reply:{AnswerOf(handover)}", today);
        var details = new HandoverDetails(null, false, calendar.WorkingDaysBetween(handover.StartedOn, today), [], handover.StartedOn, handover.Planned)
        {
            AcceptedByReplyOn = AcceptedByReplyOn(handoverCase),
        };
        return Written(handoverCase, step, record, details, planner.Plan([step], handoverCase.Own.UsableNhsNumber is not null));
    }

    private DateOnly? AcceptedByReplyOn(HandoverCase handoverCase) =>
        handoverCase.Handover.AcceptedByReplyAt is { } at ? options.Value.DateAt(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))) : null;

    /// <summary>The part of an answer's token that tells one answer from another (its MAC): a new proposed lead's answer is news.</summary>
    private static string AnswerOf(OpenHandover handover) => handover.ReplyToken is { Length: > 33 } token ? token[33..] : "";

    /// <summary>One ladder stage: the roles it names, with what is missing and for how long.</summary>
    private (StepToStore, IReadOnlyList<NotificationToStore>) Stage(
        HandoverCase handoverCase, EscalationLadder ladder, HandoverDecision.Escalate escalate, DateOnly today, string? declineReason)
    {
        var handover = handoverCase.Handover;
        var stage = ladder.Stages[escalate.Stage].For(handoverCase.Agreement);
        var record = handoverCase.Own.Record with { StepDown = handoverCase.Agreement };
        var subject = escalate switch
        {
            { Declined: true } => $"{handover.Id:N}:declined:{AnswerOf(handover)}",
            { Repeat: true } => $"{handover.Id:N}:{escalate.Stage}:{today:yyyy-MM-dd}",
            _ => $"{handover.Id:N}:{escalate.Stage}",
        };
        var step = HandoverStep(handoverCase, StepKind.HandoverStalled, subject, today);
        var next = ladder.Next(escalate.Stage, handover.StartedOn, today, calendar);
        var details = new HandoverDetails(
            stage.Name,
            escalate.Stage == ladder.Stages.Count - 1,
            escalate.WorkingDays,
            escalate.Missing.Select(HandoverChecklist.Describe).ToArray(),
            handover.StartedOn,
            handover.Planned,
            next?.Stage.Name,
            next?.On)
        {
            AcceptedByReplyOn = AcceptedByReplyOn(handoverCase),
            DeclineReason = escalate.Declined ? declineReason : null,
        };
        return Written(handoverCase, step, record, details, planner.PlanStage(step, stage));
    }

    /// <summary>A step the sweep found: from the level when the handover opened to the child's combined level now.</summary>
    private DetectedStep HandoverStep(HandoverCase handoverCase, StepKind kind, string subject, DateOnly today)
    {
        var handover = handoverCase.Handover;
        var markers = (handover.Planned ? StepMarkers.None : StepMarkers.Unplanned) | DetectedStep.NhsNumberMarker(handoverCase.Own);
        return new DetectedStep(
            DetectedStep.IdFor(handover.Source, handover.ChildId, kind, 0, subject),
            kind,
            continuum.Get(handover.FromLevel),
            Combined(handoverCase.Child),
            null,
            handoverCase.Own.Version,
            subject,
            markers,
            today);
    }

    private static (StepToStore, IReadOnlyList<NotificationToStore>) Written(
        HandoverCase handoverCase, DetectedStep step, ChildRecord record, HandoverDetails? details, IEnumerable<NotificationToStore> notices) =>
        (new StepToStore(
            handoverCase.Handover.Source,
            handoverCase.Handover.ChildId,
            step,
            JsonSerializer.Serialize(record, JsonOptions),
            details is null ? null : JsonSerializer.Serialize(details, JsonOptions),
            handoverCase.Handover.Id),
         notices.ToArray());
}
