using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Notifications;

/// <summary>The recipients a notification can go to, by role.</summary>
public static class RecipientRoles
{
    /// <summary>The child's GP practice, at its secure mailbox from the GP directory.</summary>
    public const string Gp = "gp";

    /// <summary>The GP practice the child has left (the step's subject names its ODS code).</summary>
    public const string PreviousGp = "previous-gp";

    /// <summary>The current lead professional on the record.</summary>
    public const string LeadProfessional = "lead-professional";

    /// <summary>The lead professional proposed in the agreed step down.</summary>
    public const string ProposedLead = "proposed-lead";

    /// <summary>The MASSH mailbox.</summary>
    public const string Massh = "massh";

    /// <summary>The MASSH, asked to resolve a child's NHS number because the GP could not be written to.</summary>
    public const string MasshNhsMatch = "massh-nhs-match";

    /// <summary>The manager of the team allocated on the record.</summary>
    public const string TeamManager = "team-manager";

    /// <summary>The manager of the proposed lead professional's agency, from the agency directory.</summary>
    public const string AgencyManager = "agency-manager";

    /// <summary>The head of service (<c>Handovers:HeadOfService</c>).</summary>
    public const string HeadOfService = "head-of-service";

    /// <summary>The MASSH's TAC champion (<c>Handovers:TacChampion</c>).</summary>
    public const string TacChampion = "tac-champion";

    /// <summary>
    /// A weekly digest, to a team manager (or to the MASSH, of the records naming none): a notice
    /// of its own, about no one step, written when it is added to the ledger.
    /// </summary>
    public const string Digest = "digest";

    /// <summary>The roles an escalation ladder stage may name.</summary>
    public static IReadOnlyList<string> LadderRoles { get; } = [ProposedLead, TeamManager, AgencyManager, HeadOfService, TacChampion];

    /// <summary>The MASSH, told that another recipient could not be written to: this prefix, then that role.</summary>
    public const string MasshUndeliveredPrefix = "massh-undelivered:";

    /// <summary>The MASSH's role for a notice to <paramref name="failedRole"/> that could not be delivered.</summary>
    public static string MasshUndelivered(string failedRole) => MasshUndeliveredPrefix + failedRole;

    /// <summary>For the MASSH's notice that a recipient could not be written to, that recipient's role; else null.</summary>
    public static string? UndeliveredRoleOf(string role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return role.StartsWith(MasshUndeliveredPrefix, StringComparison.Ordinal) ? role[MasshUndeliveredPrefix.Length..] : null;
    }

    /// <summary>True for the roles that go to the MASSH mailbox.</summary>
    public static bool IsMassh(string role) =>
        role is Massh or MasshNhsMatch || UndeliveredRoleOf(role) is not null;

    /// <summary>True for the roles that go to a GP practice: never about a child with no usable NHS number.</summary>
    public static bool IsGp(string role) => role is Gp or PreviousGp;
}

/// <summary>One notice to write: a step, who is told, with which template.</summary>
/// <param name="Step">The step.</param>
/// <param name="Role">The recipient role.</param>
/// <param name="Template">The message kind in <c>config/templates</c>.</param>
public sealed record PlannedNotice(DetectedStep Step, string Role, string Template);

/// <summary>One row of "who is told what": a step kind, a recipient role, the template, and when.</summary>
/// <param name="Kind">The step.</param>
/// <param name="Role">Who is told.</param>
/// <param name="Template">The message kind in <c>config/templates</c>.</param>
/// <param name="When">Only when this holds of the step and the other steps of the same record.</param>
public sealed record NotificationRule(StepKind Kind, string Role, string Template, Func<DetectedStep, IReadOnlyList<DetectedStep>, bool>? When = null)
{
    /// <summary>True when the rule applies to <paramref name="step"/>.</summary>
    public bool AppliesTo(DetectedStep step, IReadOnlyList<DetectedStep> sameRecord)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.Kind == Kind && (When is null || When(step, sameRecord));
    }
}

/// <summary>
/// The design's "who is told what" table, in one place. A GP notice for a child whose NHS number
/// identifies nobody (missing, failing Modulus 11, a placeholder, or held by another child) becomes
/// a notice to the MASSH to resolve the match (<see cref="For"/>). A step down tells the GP of the
/// current plan when the case system records the lower level (the seed: "at the point of step up
/// and step down ... notify the GP"; it is also the checklist's "GP notified"); the confirmation to
/// the new lead and the MASSH waits until the handover completes
/// (<see cref="StepKind.StepDownComplete"/>). An unplanned step down tells the MASSH at once: nobody
/// agreed who leads; so does a routine closure to universal (the plan has ended). Once a withheld
/// GP notice's NHS number passes the check, the GP is told the current plan (unless a step in the
/// same record tells them). A closure that is not a step down is told as what it is: a child's
/// death to the MASSH alone, a move to another council to the GP and the MASSH. A stalled
/// handover's ladder names its own recipients and templates in configuration (<c>Handovers:Ladders</c>).
/// </summary>
public static class NotificationRules
{
    private const string MasshNhsMatchTemplate = "massh-nhs-match";

    /// <summary>The steps whose GP notice, once sent, counts as "GP notified" for a step down's handover.</summary>
    public static IReadOnlyList<StepKind> GpNotifiedBy { get; } = [StepKind.StepDown, StepKind.NhsNumberMatched];

    private static bool NonEngagement(DetectedStep step, IReadOnlyList<DetectedStep> sameRecord) =>
        step.Markers.HasFlag(StepMarkers.NonEngagement);

    private static bool NobodyAgreed(DetectedStep step, IReadOnlyList<DetectedStep> sameRecord) =>
        step.Markers.HasFlag(StepMarkers.Unplanned) || step.Markers.HasFlag(StepMarkers.RoutineClosure) || step.Markers.HasFlag(StepMarkers.HandoverNotTracked);

    /// <summary>No handover will confirm the new lead of a step down its source cannot record agreements for: they are told at the fall.</summary>
    private static bool HandoverNotTracked(DetectedStep step, IReadOnlyList<DetectedStep> sameRecord) =>
        step.Markers.HasFlag(StepMarkers.HandoverNotTracked);

    private static bool LeadChangedToo(DetectedStep step, IReadOnlyList<DetectedStep> sameRecord) =>
        sameRecord.Any(s => s.Kind == StepKind.LeadProfessionalChanged);

    /// <summary>A lead's change already tells the MASSH who leads; a proposed lead's acceptance is about another person.</summary>
    private static bool LeadNotChanged(DetectedStep step, IReadOnlyList<DetectedStep> sameRecord) =>
        step.Subject == DetectedStep.ProposedLeadSubject || !LeadChangedToo(step, sameRecord);

    private static bool GpNotToldOtherwise(DetectedStep step, IReadOnlyList<DetectedStep> sameRecord) =>
        !sameRecord.Any(s => s.Kind is StepKind.StepUp or StepKind.StepDown or StepKind.GpPracticeChanged);

    /// <summary>A practice never told of the child is not told they left its list (it would learn of the child from it).</summary>
    private static bool PreviousPracticeWasTold(DetectedStep step, IReadOnlyList<DetectedStep> sameRecord) =>
        !step.Markers.HasFlag(StepMarkers.PreviousPracticeNotTold);

    private static bool NoLevelStepToo(DetectedStep step, IReadOnlyList<DetectedStep> sameRecord) =>
        !sameRecord.Any(s => s.Kind is StepKind.StepUp or StepKind.StepDown);

    /// <summary>
    /// Whether a child's GP is still owed a notice once one record's notices are planned: the MASSH
    /// was just asked to match the NHS number instead, or it was owed before and this record writes
    /// to no GP. Once a usable number arrives, it is told the current plan
    /// (<see cref="StepKind.NhsNumberMatched"/>).
    /// </summary>
    public static bool GpStillOwed(IEnumerable<string> plannedRoles, bool owedBefore)
    {
        var roles = plannedRoles.ToArray();
        return roles.Contains(RecipientRoles.MasshNhsMatch) || (owedBefore && !roles.Any(RecipientRoles.IsGp));
    }

    /// <summary>
    /// The GP safety rule: a GP practice is written to about a child only when the step found a
    /// usable NHS number (no <see cref="StepMarkers.InvalidNhsNumber"/>) and the record's number
    /// passes the check. Checked again when a notice is composed, guarding the rules themselves.
    /// </summary>
    public static bool MayWriteToGp(StepMarkers markers, string? nhsNumber) =>
        !markers.HasFlag(StepMarkers.InvalidNhsNumber) && NhsNumber.IdentifiesAChild(nhsNumber);

    /// <summary>
    /// A notice that ended undelivered (failed, given up, bounced) is followed by one to the MASSH,
    /// so that someone makes sure the recipient is told; unless it was the MASSH's own, which would
    /// only tell the MASSH of itself, or a weekly digest (about no one child: it shows failed on the
    /// dashboard's Notifications page, and next week's lists the same handovers).
    /// </summary>
    public static bool FailureIsToldToMassh(string role) => !RecipientRoles.IsMassh(role) && role != RecipientRoles.Digest;

    /// <summary>Every rule.</summary>
    public static IReadOnlyList<NotificationRule> All { get; } =
    [
        new(StepKind.StepUp, RecipientRoles.Gp, "gp-step-notice"),
        new(StepKind.StepUp, RecipientRoles.LeadProfessional, "lead-notice", LeadChangedToo),
        new(StepKind.StepUp, RecipientRoles.Massh, "massh-notice"),
        new(StepKind.StepDownAgreed, RecipientRoles.ProposedLead, "handover-pack"),
        new(StepKind.ProposedLeadNamed, RecipientRoles.ProposedLead, "handover-pack"),
        new(StepKind.StepDown, RecipientRoles.Gp, "gp-step-notice"),
        new(StepKind.StepDown, RecipientRoles.Massh, "massh-notice", NobodyAgreed),
        new(StepKind.StepDown, RecipientRoles.LeadProfessional, "lead-notice", HandoverNotTracked),
        new(StepKind.StepDownComplete, RecipientRoles.Gp, "gp-step-notice"),
        new(StepKind.StepDownComplete, RecipientRoles.LeadProfessional, "lead-notice"),
        new(StepKind.StepDownComplete, RecipientRoles.Massh, "massh-notice"),
        new(StepKind.StepIn, RecipientRoles.LeadProfessional, "lead-notice"),
        new(StepKind.StepOut, RecipientRoles.LeadProfessional, "lead-notice"),
        new(StepKind.StepOut, RecipientRoles.Massh, "massh-notice", NonEngagement),
        new(StepKind.StepOut, RecipientRoles.TeamManager, "manager-notice", NonEngagement),
        new(StepKind.LeadProfessionalChanged, RecipientRoles.Massh, "massh-notice"),
        new(StepKind.LeadProfessionalAccepted, RecipientRoles.Massh, "massh-notice", LeadNotChanged),
        new(StepKind.GpPracticeChanged, RecipientRoles.Gp, "gp-step-notice", NoLevelStepToo),
        new(StepKind.GpPracticeChanged, RecipientRoles.PreviousGp, "gp-left-notice", PreviousPracticeWasTold),
        new(StepKind.NhsNumberMatched, RecipientRoles.Gp, "gp-step-notice", GpNotToldOtherwise),
        new(StepKind.ChildDied, RecipientRoles.Massh, "massh-closure-notice"),
        new(StepKind.TransferredOut, RecipientRoles.Gp, "gp-closure-notice"),
        new(StepKind.TransferredOut, RecipientRoles.Massh, "massh-closure-notice"),
        new(StepKind.IdentityConflict, RecipientRoles.Massh, "massh-identity-conflict"),
        new(StepKind.LeadAcceptedByReply, RecipientRoles.Massh, "massh-accepted-by-reply"),
        new(StepKind.LeadAcceptedByReply, RecipientRoles.TeamManager, "record-acceptance"),
    ];

    /// <summary>
    /// Who is told of the steps one record (or one sweep) showed, and with which template. A GP is
    /// never written to about a child with no usable NHS number: the MASSH is asked to resolve the
    /// match instead (once per step).
    /// </summary>
    /// <param name="steps">The steps of one record.</param>
    /// <param name="gpAllowed">The child has a usable NHS number (<see cref="SourceRecord.UsableNhsNumber"/>).</param>
    public static IEnumerable<PlannedNotice> For(IReadOnlyList<DetectedStep> steps, bool gpAllowed)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return steps
            .SelectMany(step => All.Where(rule => rule.AppliesTo(step, steps)).Select(rule =>
                RecipientRoles.IsGp(rule.Role) && !gpAllowed
                    ? new PlannedNotice(step, RecipientRoles.MasshNhsMatch, MasshNhsMatchTemplate)
                    : new PlannedNotice(step, rule.Role, rule.Template)))
            .DistinctBy(notice => (notice.Step.Id, notice.Role));
    }
}
