using System.Globalization;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// What a GP notice's templates see (members are snake_case in Liquid: <c>child.given_name</c>).
/// Built from the record that showed the step, so the GP gets the plan as it was at the step.
/// </summary>
public sealed record GpNotice(
    string Reference,
    ChildView Child,
    StepView Step,
    ProfessionalView? LeadProfessional,
    PlanView? Plan,
    CouncilOptions Council,
    GpPracticeEntry GpPractice,
    SnomedView? Snomed)
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>The template set GP notices use.</summary>
    public const string TemplateKind = "gp-step-notice";

    /// <summary>Builds the notice for one step.</summary>
    public static GpNotice Create(Guid notificationId, ChildRecord record, StepKind kind, StepMarkers markers, Level from, Level to, CouncilOptions council, GpPracticeEntry practice)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var lead = record.LeadProfessional;
        var plan = record.Plan;
        return new GpNotice(
            notificationId.ToString("N")[..12].ToUpperInvariant(),
            new ChildView(record.Name?.Given ?? "", record.Name?.Family ?? "", Date(record.DateOfBirth), FormatNhsNumber(record.NhsNumber)),
            new StepView(
                kind == StepKind.StepUp ? "Step up" : "Step down",
                kind == StepKind.StepUp,
                from.Name,
                to.Name,
                markers.HasFlag(StepMarkers.ReReferral),
                markers.HasFlag(StepMarkers.Unplanned)),
            lead is null ? null : new ProfessionalView(lead.Name, lead.Role, lead.Agency, lead.Email, lead.Phone),
            plan is null ? null : new PlanView(
                PlanTypeName(plan.Type),
                Date(plan.StartedOn),
                Date(plan.ReviewDueOn),
                Date(plan.UpdatedOn),
                plan.Summary ?? "",
                (plan.Outcomes ?? []).Select(o => new OutcomeView(o.Description ?? "", o.Owner, Date(o.DueOn))).ToArray()),
            council,
            practice,
            to.SnomedCode is null ? null : new SnomedView(to.SnomedCode, to.SnomedTerm ?? ""));
    }

    private static string? Date(DateOnly? date) => date?.ToString("d MMMM yyyy", EnGb);

    private static string FormatNhsNumber(string? nhsNumber) =>
        nhsNumber is { Length: 10 } ? $"{nhsNumber[..3]} {nhsNumber[3..6]} {nhsNumber[6..]}" : nhsNumber ?? "";

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

/// <summary>The child, as a notice names it.</summary>
public sealed record ChildView(string GivenName, string FamilyName, string? DateOfBirth, string NhsNumber);

/// <summary>The step, as a notice names it.</summary>
/// <param name="Kind">"Step up" or "Step down".</param>
/// <param name="IsStepUp">True for a step up.</param>
/// <param name="FromLevel">Level before.</param>
/// <param name="ToLevel">Level after.</param>
/// <param name="IsReReferral">A step up within 12 months of a completed step down.</param>
/// <param name="IsUnplanned">A step down nobody agreed.</param>
public sealed record StepView(string Kind, bool IsStepUp, string FromLevel, string ToLevel, bool IsReReferral, bool IsUnplanned);

/// <summary>A professional with contacts.</summary>
public sealed record ProfessionalView(string Name, string? Role, string? Agency, string? Email, string? Phone);

/// <summary>The plan at the step.</summary>
public sealed record PlanView(string TypeName, string? StartedOn, string? ReviewDueOn, string? UpdatedOn, string Summary, IReadOnlyList<OutcomeView> Outcomes);

/// <summary>One plan outcome.</summary>
public sealed record OutcomeView(string Description, string? Owner, string? DueOn);

/// <summary>The SNOMED CT concept suggested for the practice to record.</summary>
public sealed record SnomedView(string Code, string Term);
