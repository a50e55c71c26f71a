using System.Globalization;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// What a notice's templates see (members are snake_case in Liquid: <c>child.given_name</c>).
/// Built from the record that showed the step, so the recipient gets the plan as it was then.
/// </summary>
public sealed record Notice(
    string Reference,
    RecipientView Recipient,
    ChildView Child,
    StepView Step,
    ProfessionalView? LeadProfessional,
    ProfessionalView? ProposedLead,
    StepDownView? StepDown,
    ServiceView? Service,
    PlanView? Plan,
    TeamView? Team,
    CouncilOptions Council,
    GpPracticeEntry? GpPractice,
    SnomedView? Snomed,
    UndeliveredView? Undelivered,
    HandoverView? Handover,
    ClosureView? Closure = null)
{
    /// <summary>The recipient is asked to answer by reply (Accept, or Decline and a reason): their reply reaches the service.</summary>
    public bool AnswerByReply { get; init; }

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>
    /// Builds the notice of one step for one recipient; its reference comes from the step, so every
    /// recipient's copy of one step carries the same one. <paramref name="targetLevelName"/> names
    /// the agreed step down's level.
    /// </summary>
    public static Notice Create(
        Guid stepId,
        ChildRecord record,
        StepFacts step,
        RecipientView recipient,
        CouncilOptions council,
        GpPracticeEntry? practice,
        UndeliveredView? undelivered = null,
        HandoverDetails? handover = null,
        string? targetLevelName = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(step);
        var plan = record.Plan;
        var service = step.Subject is null ? null : record.Services?.FirstOrDefault(s => s.ServiceId == step.Subject);
        var stepDown = record.StepDown;
        return new Notice(
            ReferenceOf(stepId),
            recipient,
            new ChildView(
                record.Name?.Given ?? "",
                record.Name?.Family ?? "",
                Date(record.DateOfBirth),
                FormatNhsNumber(record.NhsNumber),
                NotificationRules.MayWriteToGp(step.Markers, record.NhsNumber),
                step.Source,
                record.ChildId,
                record.GpPractice is { } gp ? $"{gp.Name ?? "name not recorded"} ({gp.OdsCode ?? "no ODS code"})" : null),
            new StepView(
                KindName(step.Kind),
                step.Kind.ToString(),
                step.Kind == StepKind.StepUp,
                step.From.Name,
                step.To.Name,
                step.Markers.HasFlag(StepMarkers.ReReferral),
                step.Markers.HasFlag(StepMarkers.Unplanned),
                step.Markers.HasFlag(StepMarkers.NonEngagement),
                step.Kind is StepKind.StepDown or StepKind.StepDownComplete && step.To.Rank == 1,
                step.Markers.HasFlag(StepMarkers.RoutineClosure),
                step.Kind == StepKind.GpPracticeChanged ? step.Subject : null,
                step.Kind == StepKind.IdentityConflict ? step.Subject?.Replace("|", ", case id ", StringComparison.Ordinal) : null,
                step.Markers.HasFlag(StepMarkers.HandoverNotTracked)),
            Professional(record.LeadProfessional),
            Professional(stepDown?.ProposedLeadProfessional),
            stepDown is null ? null : new StepDownView(Date(stepDown.AgreedOn), ForumName(stepDown.Forum), stepDown.Disagreement, targetLevelName ?? stepDown.TargetLevel),
            service is null ? null : new ServiceView(service.Name, service.Agency, service.ContactEmail, Date(service.JoinedOn), Date(service.LeftOn), service.LeftReason),
            plan is null ? null : new PlanView(
                PlanTypeName(plan.Type),
                Date(plan.StartedOn),
                Date(plan.ReviewDueOn),
                Date(plan.UpdatedOn),
                plan.Summary ?? "",
                (plan.Outcomes ?? []).Select(o => new OutcomeView(o.Description ?? "", o.Owner, Date(o.DueOn))).ToArray()),
            record.AllocatedTeam is { } team ? new TeamView(team.Name, team.ManagerName, team.ManagerEmail) : null,
            council,
            practice,
            practice is not null && step.To.SnomedCode is not null ? new SnomedView(step.To.SnomedCode, step.To.SnomedTerm ?? "") : null,
            undelivered,
            handover is null ? null : new HandoverView(
                handover.StageName, handover.FinalStage, handover.WorkingDays, handover.Missing, Date(handover.StartedOn), handover.Planned,
                handover.NextStageName, Date(handover.NextStageOn), Date(handover.AcceptedByReplyOn), handover.DeclineReason),
            record.IsClosed ? new ClosureView(Date(record.ClosedOn), Closures.ChildDied(record), Closures.MovedAway(record), record.TransferredTo) : null);
    }

    private static ProfessionalView? Professional(Professional? professional) =>
        professional is null ? null : new ProfessionalView(professional.Name, professional.Role, professional.Agency, professional.Email, professional.Phone, Date(professional.AcceptedOn));

    /// <summary>
    /// The reference every message about a step (or the handover it opened) carries: the first 12
    /// hex digits of its id. The audit trail finds a step by it (AuditTrails, index V012).
    /// </summary>
    public static string ReferenceOf(Guid stepId) => stepId.ToString("N")[..12].ToUpperInvariant();

    private static string? Date(DateOnly? date) => date?.ToString("d MMMM yyyy", EnGb);

    private static string FormatNhsNumber(string? nhsNumber) =>
        nhsNumber is { Length: 10 } ? $"{nhsNumber[..3]} {nhsNumber[3..6]} {nhsNumber[6..]}" : nhsNumber ?? "not recorded";

    /// <summary>A step's kind in words, as people read it (messages, the dashboard's charts and tables); the code itself is for machines.</summary>
    public static string KindName(StepKind kind) => kind switch
    {
        StepKind.StepUp => "Step up",
        StepKind.StepDown => "Step down",
        StepKind.StepDownAgreed => "Step down agreed",
        StepKind.StepIn => "Step in",
        StepKind.StepOut => "Step out",
        StepKind.LeadProfessionalChanged => "Change of lead professional",
        StepKind.LeadProfessionalAccepted => "Lead professional accepted",
        StepKind.Closure => "Closure",
        StepKind.StepDownComplete => "Step down complete",
        StepKind.HandoverStalled => "Handover stalled",
        StepKind.NhsNumberMatched => "NHS number matched",
        StepKind.ProposedLeadNamed => "Proposed lead professional named",
        StepKind.GpPracticeChanged => "Change of GP practice",
        StepKind.ChildDied => "Case closed: the child has died",
        StepKind.TransferredOut => "Case moved to another council",
        StepKind.IdentityConflict => "Two children linked by their external ids",
        StepKind.LeadAcceptedByReply => "Lead role accepted by reply",
        _ => kind.ToString(),
    };

    /// <summary>Where a step down was agreed, in words (the contract's codes are not for people).</summary>
    private static string? ForumName(string? forum) => forum switch
    {
        "tac-meeting" => "TAC meeting",
        "plan-review" => "plan review",
        "cp-conference" => "CP conference",
        "assessment-outcome" => "assessment outcome",
        "other" => "another meeting",
        _ => forum,
    };

    private static string PlanTypeName(string? type) => type switch
    {
        "eha" => "Early Help Assessment / family plan",
        "tac" => "Team Around the Child / Family plan",
        "cin" => "Child in need plan (section 17)",
        "cp" => "Child protection plan",
        "lac" => "Care plan (looked-after child)",
        "none" or null => "No plan",
        _ => type,
    };
}
