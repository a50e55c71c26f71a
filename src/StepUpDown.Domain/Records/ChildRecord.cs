namespace StepUpDown.Domain.Records;

/// <summary>
/// A child's whole current record in one source system, as the case feed contract
/// (<c>case-feed.v1.yaml</c>, schema <c>ChildRecord</c>) serves it.
/// </summary>
public sealed record ChildRecord
{
    /// <summary>The person's id in the source system.</summary>
    public string ChildId { get; init; } = "";

    /// <summary>NHS number, 10 digits; may be missing or invalid in source data.</summary>
    public string? NhsNumber { get; init; }

    /// <summary>The same child's ids in other systems.</summary>
    public IReadOnlyList<ExternalId>? ExternalIds { get; init; }

    /// <summary>The child's name.</summary>
    public PersonName? Name { get; init; }

    /// <summary>Date of birth.</summary>
    public DateOnly? DateOfBirth { get; init; }

    /// <summary>The source system's own level code.</summary>
    public string LevelOfNeed { get; init; } = "";

    /// <summary><c>open</c> or <c>closed</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>Closure date, when closed.</summary>
    public DateOnly? ClosedOn { get; init; }

    /// <summary>Closure reason, when closed: one of <see cref="Closures"/>' documented values, or a case system's own words.</summary>
    public string? ClosureReason { get; init; }

    /// <summary>With <see cref="Closures.TransferredOut"/>: the council the case moved to, where the record names it.</summary>
    public string? TransferredTo { get; init; }

    /// <summary>The team that holds the case.</summary>
    public AllocatedTeam? AllocatedTeam { get; init; }

    /// <summary>The current lead professional.</summary>
    public Professional? LeadProfessional { get; init; }

    /// <summary>The child's current plan.</summary>
    public Plan? Plan { get; init; }

    /// <summary>Services in the Team Around the Child.</summary>
    public IReadOnlyList<Service>? Services { get; init; }

    /// <summary>An agreed step down, while it is in progress.</summary>
    public StepDownAgreement? StepDown { get; init; }

    /// <summary>The child's registered GP practice.</summary>
    public GpPracticeRef? GpPractice { get; init; }

    /// <summary>When the source last changed the record.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Increases with every change of this record in its source.</summary>
    public long? Version { get; init; }

    /// <summary>True when the record is closed in its source (not a field of the contract).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsClosed => string.Equals(Status, "closed", StringComparison.Ordinal);
}

/// <summary>An id of the same child in another source system.</summary>
public sealed record ExternalId(string System, string Id);

/// <summary>A person's name.</summary>
public sealed record PersonName(string? Given, string? Family);

/// <summary>The team holding a case and its manager.</summary>
public sealed record AllocatedTeam(string? Name, string? ManagerName, string? ManagerEmail);

/// <summary>A professional: a lead professional or a proposed one.</summary>
public sealed record Professional
{
    /// <summary>Id in the source, if any.</summary>
    public string? Id { get; init; }

    /// <summary>Full name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Role, e.g. social worker.</summary>
    public string? Role { get; init; }

    /// <summary>Agency code.</summary>
    public string? Agency { get; init; }

    /// <summary>Email address.</summary>
    public string? Email { get; init; }

    /// <summary>Telephone number.</summary>
    public string? Phone { get; init; }

    /// <summary>When the professional accepted the lead role; null while only proposed.</summary>
    public DateOnly? AcceptedOn { get; init; }

    /// <summary>Same person: by id when both have one, else by name and email.</summary>
    public bool IsSamePersonAs(Professional other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Id is not null && other.Id is not null
            ? string.Equals(Id, other.Id, StringComparison.Ordinal)
            : string.Equals(Name?.Trim(), other.Name?.Trim(), StringComparison.OrdinalIgnoreCase)
              && string.Equals(Email?.Trim(), other.Email?.Trim(), StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>The child's plan.</summary>
public sealed record Plan
{
    /// <summary>none, eha, tac, cin, cp or lac.</summary>
    public string? Type { get; init; }

    /// <summary>Start date.</summary>
    public DateOnly? StartedOn { get; init; }

    /// <summary>Next review date.</summary>
    public DateOnly? ReviewDueOn { get; init; }

    /// <summary>Date of the last update.</summary>
    public DateOnly? UpdatedOn { get; init; }

    /// <summary>Free text, any Unicode, possibly long.</summary>
    public string? Summary { get; init; }

    /// <summary>The plan's outcomes.</summary>
    public IReadOnlyList<PlanOutcome>? Outcomes { get; init; }
}

/// <summary>One outcome of a plan.</summary>
public sealed record PlanOutcome(string? Description, string? Owner, DateOnly? DueOn);

/// <summary>A service in the Team Around the Child.</summary>
public sealed record Service
{
    /// <summary>Id of the service in the source.</summary>
    public string ServiceId { get; init; } = "";

    /// <summary>Service name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Agency code.</summary>
    public string? Agency { get; init; }

    /// <summary>Contact email.</summary>
    public string? ContactEmail { get; init; }

    /// <summary>When the service stepped in.</summary>
    public DateOnly? JoinedOn { get; init; }

    /// <summary>When the service stepped out.</summary>
    public DateOnly? LeftOn { get; init; }

    /// <summary>Why it stepped out.</summary>
    public string? LeftReason { get; init; }
}

/// <summary>An agreed step down and the state of its handover.</summary>
public sealed record StepDownAgreement
{
    /// <summary>When it was agreed.</summary>
    public DateOnly? AgreedOn { get; init; }

    /// <summary>Where it was agreed.</summary>
    public string? Forum { get; init; }

    /// <summary>Source level code stepped down to.</summary>
    public string TargetLevel { get; init; } = "";

    /// <summary>The proposed new lead professional.</summary>
    public Professional? ProposedLeadProfessional { get; init; }

    /// <summary>Family consent recorded.</summary>
    public bool? FamilyConsent { get; init; }

    /// <summary>When the SMART plan was updated.</summary>
    public DateOnly? SmartPlanUpdatedOn { get; init; }

    /// <summary>When the updated plan was shared in writing.</summary>
    public DateOnly? PlanSharedOn { get; init; }

    /// <summary>Recorded disagreement or reluctance.</summary>
    public string? Disagreement { get; init; }

    /// <summary>When the step down was withdrawn.</summary>
    public DateOnly? WithdrawnOn { get; init; }
}

/// <summary>A GP practice as named on a child's record.</summary>
public sealed record GpPracticeRef(string? OdsCode, string? Name);
