using System.Globalization;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;

namespace StepUpDown.Integration.Notifications;

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

/// <summary>The stored facts of a step that a notice needs.</summary>
public sealed record StepFacts(StepKind Kind, Level From, Level To, StepMarkers Markers, string? Subject, string Source = "");

/// <summary>Who the notice is for.</summary>
/// <param name="Name">Name to greet.</param>
/// <param name="Role">The recipient role.</param>
public sealed record RecipientView(string Name, string Role);

/// <summary>The child, as a notice names it.</summary>
/// <param name="GivenName">Given name.</param>
/// <param name="FamilyName">Family name.</param>
/// <param name="DateOfBirth">Date of birth, in words.</param>
/// <param name="NhsNumber">NHS number, spaced, or "not recorded".</param>
/// <param name="NhsNumberValid">The number identifies the child (passes the check, not a placeholder, not another child's).</param>
/// <param name="Source">The case system the step was read from.</param>
/// <param name="CaseId">The child's id in that case system.</param>
/// <param name="GpPractice">The GP practice on the record, name and ODS code.</param>
public sealed record ChildView(
    string GivenName, string FamilyName, string? DateOfBirth, string NhsNumber, bool NhsNumberValid, string Source, string CaseId, string? GpPractice);

/// <summary>The step, as a notice names it.</summary>
/// <param name="Kind">E.g. "Step up".</param>
/// <param name="Code">The step kind's code, e.g. <c>StepUp</c>, for conditions in templates.</param>
/// <param name="IsStepUp">True for a step up.</param>
/// <param name="FromLevel">The child's level before.</param>
/// <param name="ToLevel">The child's level after.</param>
/// <param name="IsReReferral">A step up within 12 months of a completed step down.</param>
/// <param name="IsUnplanned">A step down nobody agreed.</param>
/// <param name="IsNonEngagement">A step out for non-engagement: a risk assessment is needed.</param>
/// <param name="IsPlanEnded">A step down to universal: no plan is open any more.</param>
/// <param name="IsRoutineClosure">A closure to universal that nobody needed to agree (e.g. needs met): no handover.</param>
/// <param name="PreviousPracticeOdsCode">For a change of GP practice: the practice the child left.</param>
/// <param name="ConflictingRecord">For an identity conflict: the other record (its case system and case id).</param>
/// <param name="IsHandoverNotTracked">A step down from a source that records no agreements: no handover is tracked.</param>
public sealed record StepView(
    string Kind,
    string Code,
    bool IsStepUp,
    string FromLevel,
    string ToLevel,
    bool IsReReferral,
    bool IsUnplanned,
    bool IsNonEngagement,
    bool IsPlanEnded,
    bool IsRoutineClosure,
    string? PreviousPracticeOdsCode,
    string? ConflictingRecord = null,
    bool IsHandoverNotTracked = false);

/// <summary>A professional with contacts.</summary>
public sealed record ProfessionalView(string Name, string? Role, string? Agency, string? Email, string? Phone, string? AcceptedOn);

/// <summary>The agreed step down.</summary>
/// <param name="AgreedOn">When, in words.</param>
/// <param name="Forum">Where, in words (e.g. "CP conference").</param>
/// <param name="Disagreement">A recorded disagreement.</param>
/// <param name="TargetLevel">The level agreed, by its continuum name where the source's code maps (else the code).</param>
public sealed record StepDownView(string? AgreedOn, string? Forum, string? Disagreement, string? TargetLevel);

/// <summary>The service that stepped in or out.</summary>
public sealed record ServiceView(string Name, string? Agency, string? ContactEmail, string? JoinedOn, string? LeftOn, string? LeftReason);

/// <summary>The plan at the step.</summary>
public sealed record PlanView(string TypeName, string? StartedOn, string? ReviewDueOn, string? UpdatedOn, string Summary, IReadOnlyList<OutcomeView> Outcomes);

/// <summary>One plan outcome.</summary>
public sealed record OutcomeView(string Description, string? Owner, string? DueOn);

/// <summary>The allocated team.</summary>
public sealed record TeamView(string? Name, string? ManagerName, string? ManagerEmail);

/// <summary>A notice that could not be delivered, for the MASSH to follow up.</summary>
/// <param name="Role">Who could not be written to.</param>
/// <param name="Reason">Why (names no person or address).</param>
public sealed record UndeliveredView(string Role, string Reason);

/// <summary>How the record closed, when it is closed.</summary>
/// <param name="ClosedOn">When, in words.</param>
/// <param name="ChildDied">The child died.</param>
/// <param name="MovedAway">The case moved to another council.</param>
/// <param name="TransferredTo">The council it moved to, where the record names it.</param>
public sealed record ClosureView(string? ClosedOn, bool ChildDied, bool MovedAway, string? TransferredTo);

/// <summary>The SNOMED CT concept suggested for the practice to record.</summary>
public sealed record SnomedView(string Code, string Term);

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
