using StepUpDown.Domain.Detection;

namespace StepUpDown.Integration.Notifications;

/// <summary>The recipients a notification can go to, by role.</summary>
public static class RecipientRoles
{
    /// <summary>The child's GP practice, at its secure mailbox from the GP directory.</summary>
    public const string Gp = "gp";

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

    /// <summary>The MASSH, told that another recipient could not be written to: this prefix, then that role.</summary>
    public const string MasshUndeliveredPrefix = "massh-undelivered:";

    /// <summary>True for the roles that go to the MASSH mailbox.</summary>
    public static bool IsMassh(string role) =>
        role is Massh or MasshNhsMatch || role.StartsWith(MasshUndeliveredPrefix, StringComparison.Ordinal);
}

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
/// is missing or invalid becomes a notice to the MASSH to resolve the match (see
/// <see cref="NotificationPlanner"/>).
/// </summary>
public static class NotificationRules
{
    private static bool NonEngagement(DetectedStep step, IReadOnlyList<DetectedStep> sameRecord) =>
        step.Markers.HasFlag(StepMarkers.NonEngagement);

    private static bool LeadChangedToo(DetectedStep step, IReadOnlyList<DetectedStep> sameRecord) =>
        sameRecord.Any(s => s.Kind == StepKind.LeadProfessionalChanged);

    /// <summary>Every rule.</summary>
    public static IReadOnlyList<NotificationRule> All { get; } =
    [
        new(StepKind.StepUp, RecipientRoles.Gp, "gp-step-notice"),
        new(StepKind.StepUp, RecipientRoles.LeadProfessional, "lead-notice", LeadChangedToo),
        new(StepKind.StepUp, RecipientRoles.Massh, "massh-notice"),
        new(StepKind.StepDownAgreed, RecipientRoles.ProposedLead, "handover-pack"),
        new(StepKind.StepDown, RecipientRoles.Gp, "gp-step-notice"),
        new(StepKind.StepDown, RecipientRoles.LeadProfessional, "lead-notice"),
        new(StepKind.StepDown, RecipientRoles.Massh, "massh-notice"),
        new(StepKind.StepIn, RecipientRoles.LeadProfessional, "lead-notice"),
        new(StepKind.StepOut, RecipientRoles.LeadProfessional, "lead-notice"),
        new(StepKind.StepOut, RecipientRoles.Massh, "massh-notice", NonEngagement),
        new(StepKind.StepOut, RecipientRoles.TeamManager, "manager-notice", NonEngagement),
        new(StepKind.LeadProfessionalChanged, RecipientRoles.Massh, "massh-notice"),
    ];

    /// <summary>The template for a role's notice of a step (the GP's diverted notice included).</summary>
    public static string TemplateFor(StepKind kind, string role) => role switch
    {
        RecipientRoles.MasshNhsMatch => "massh-nhs-match",
        _ when role.StartsWith(RecipientRoles.MasshUndeliveredPrefix, StringComparison.Ordinal) => "massh-undelivered",
        _ => All.FirstOrDefault(r => r.Kind == kind && r.Role == role)?.Template
             ?? throw new PermanentDeliveryException($"No notification rule sends a {kind} to the {role}."),
    };
}
