namespace StepUpDown.SsdFeed.Reading;

/// <summary>A row of <c>ssd_person</c>.</summary>
public sealed class PersonRow
{
    /// <summary><c>pers_person_id</c>.</summary>
    public string PersonId { get; set; } = "";

    /// <summary><c>pers_forename</c>.</summary>
    public string? Forename { get; set; }

    /// <summary><c>pers_surname</c>.</summary>
    public string? Surname { get; set; }

    /// <summary><c>pers_dob</c>.</summary>
    public DateTime? DateOfBirth { get; set; }

    /// <summary><c>pers_single_unique_id</c>: the NHS number where the council populates it.</summary>
    public string? SingleUniqueId { get; set; }

    /// <summary><c>pers_death_date</c>.</summary>
    public DateTime? DeathDate { get; set; }
}

/// <summary>A row of <c>ssd_linked_identifiers</c>.</summary>
public sealed class IdentifierRow
{
    /// <summary><c>link_person_id</c>.</summary>
    public string PersonId { get; set; } = "";

    /// <summary><c>link_identifier_type</c>, e.g. <c>NHS Number</c>.</summary>
    public string? Type { get; set; }

    /// <summary><c>link_identifier_value</c>.</summary>
    public string? Value { get; set; }

    /// <summary><c>link_valid_from_date</c>.</summary>
    public DateTime? ValidFrom { get; set; }

    /// <summary><c>link_valid_to_date</c>.</summary>
    public DateTime? ValidTo { get; set; }
}

/// <summary>What an episode is: each a level of need on the continuum.</summary>
public enum EpisodeKind
{
    /// <summary>An <c>ssd_early_help_episodes</c> row.</summary>
    EarlyHelp,

    /// <summary>An <c>ssd_cin_episodes</c> row (a referral).</summary>
    CinReferral,

    /// <summary>An <c>ssd_cin_plans</c> row.</summary>
    CinPlan,

    /// <summary>An <c>ssd_cp_plans</c> row.</summary>
    ChildProtection,

    /// <summary>An <c>ssd_cla_episodes</c> row.</summary>
    LookedAfter,
}

/// <summary>An episode of any kind, as <see cref="SsdDialect"/>'s episodes query reads it.</summary>
public sealed class EpisodeRow
{
    /// <summary>Which table it came from.</summary>
    public EpisodeKind Kind { get; set; }

    /// <summary>The row's own id.</summary>
    public string Id { get; set; } = "";

    /// <summary>The person.</summary>
    public string PersonId { get; set; } = "";

    /// <summary>The CIN referral it belongs to (a referral's own id for a referral); none for early help.</summary>
    public string? ReferralId { get; set; }

    /// <summary>Start (referral date for a referral).</summary>
    public DateTime? StartDate { get; set; }

    /// <summary>End (close or ceased date); null while open.</summary>
    public DateTime? EndDate { get; set; }

    /// <summary>Why it ended: a CIN census code for a referral, free text otherwise.</summary>
    public string? EndReason { get; set; }

    /// <summary>The team (or early help organisation) holding it.</summary>
    public string? Team { get; set; }

    /// <summary>The worker id on the episode, where the table has one.</summary>
    public string? WorkerId { get; set; }

    /// <summary>A referral's <c>cine_referral_nfa</c>; a CP plan's latest category.</summary>
    public string? Flag { get; set; }
}

/// <summary>A row of <c>ssd_cp_reviews</c>.</summary>
public sealed class ReviewRow
{
    /// <summary><c>cppr_cp_plan_id</c>.</summary>
    public string PlanId { get; set; } = "";

    /// <summary><c>cppr_cp_review_due</c>.</summary>
    public DateTime? Due { get; set; }

    /// <summary><c>cppr_cp_review_date</c>: when it was held; null while to come.</summary>
    public DateTime? Held { get; set; }
}

/// <summary>A row of <c>ssd_involvements</c>.</summary>
public sealed class InvolvementRow
{
    /// <summary><c>invo_person_id</c>.</summary>
    public string PersonId { get; set; } = "";

    /// <summary><c>invo_professional_id</c>.</summary>
    public string? ProfessionalId { get; set; }

    /// <summary><c>invo_professional_role_id</c>.</summary>
    public string? RoleId { get; set; }

    /// <summary><c>invo_professional_team</c>.</summary>
    public string? Team { get; set; }

    /// <summary><c>invo_involvement_start_date</c>.</summary>
    public DateTime? StartDate { get; set; }

    /// <summary><c>invo_involvement_end_date</c>.</summary>
    public DateTime? EndDate { get; set; }

    /// <summary><c>invo_referral_id</c>.</summary>
    public string? ReferralId { get; set; }
}

/// <summary>A row of <c>ssd_professionals</c>.</summary>
public sealed class ProfessionalRow
{
    /// <summary><c>prof_professional_id</c>.</summary>
    public string ProfessionalId { get; set; } = "";

    /// <summary><c>prof_staff_id</c>.</summary>
    public string? StaffId { get; set; }

    /// <summary><c>prof_professional_name</c>.</summary>
    public string? Name { get; set; }

    /// <summary><c>prof_professional_job_title</c>.</summary>
    public string? JobTitle { get; set; }
}

/// <summary>A row of <c>ssd_department</c>.</summary>
public sealed class TeamRow
{
    /// <summary><c>dept_team_id</c>.</summary>
    public string TeamId { get; set; } = "";

    /// <summary><c>dept_team_name</c>.</summary>
    public string? Name { get; set; }
}

/// <summary>A row of the council's <c>GpPracticeQuery</c>.</summary>
public sealed class GpPracticeRow
{
    /// <summary>The person.</summary>
    public string PersonId { get; set; } = "";

    /// <summary>The practice's ODS code.</summary>
    public string? OdsCode { get; set; }

    /// <summary>The practice's name.</summary>
    public string? PracticeName { get; set; }
}

/// <summary>A row of the council's <c>StepDownQuery</c>.</summary>
public sealed class StepDownRow
{
    /// <summary>The person.</summary>
    public string PersonId { get; set; } = "";

    /// <summary>When the step down was agreed.</summary>
    public DateTime? AgreedOn { get; set; }

    /// <summary>Where: tac-meeting, plan-review, cp-conference, assessment-outcome or other.</summary>
    public string? Forum { get; set; }

    /// <summary>The proposed lead's professional or staff id.</summary>
    public string? ProposedWorkerId { get; set; }

    /// <summary>Family consent recorded.</summary>
    public bool? FamilyConsent { get; set; }

    /// <summary>When the SMART plan was updated.</summary>
    public DateTime? SmartPlanUpdatedOn { get; set; }

    /// <summary>When the updated plan was shared in writing.</summary>
    public DateTime? PlanSharedOn { get; set; }

    /// <summary>A recorded disagreement.</summary>
    public string? Disagreement { get; set; }

    /// <summary>When it was withdrawn.</summary>
    public DateTime? WithdrawnOn { get; set; }
}
