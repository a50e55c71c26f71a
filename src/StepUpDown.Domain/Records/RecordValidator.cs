namespace StepUpDown.Domain.Records;

/// <summary>
/// Checks a parsed record against what the contract requires. The reasons it gives name
/// fields, never values, so they are safe to store and log.
/// </summary>
public static class RecordValidator
{
    /// <summary>The longest id stored (a child's, an external one): far below what an index entry can hold.</summary>
    public const int MaxIdLength = 200;

    /// <summary>The earliest date a record's journey can hold: anything before is a typing slip, not a date.</summary>
    public static readonly DateOnly EarliestRealDate = new(2000, 1, 1);

    /// <summary>
    /// The reasons the record cannot be used; empty when it is valid. With <paramref name="today"/>,
    /// the dates the worker counts working days and re-referrals from (the step down's, the
    /// acceptances, the closure, <c>updatedAt</c>) must be real: not before 2000, not more than a
    /// year ahead. A typo such as 2002 for 2026 would otherwise run past the bank holiday calendar.
    /// </summary>
    public static IReadOnlyList<string> Validate(ChildRecord record, DateOnly? today = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var reasons = new List<string>();
        if (today is { } day)
        {
            reasons.AddRange(JourneyDates(record)
                .Where(date => date.Value is { } value && (value < EarliestRealDate || value > day.AddYears(1)))
                .Select(date => $"{date.Field} cannot be a real date (before 2000 or more than a year ahead)"));
        }

        if (string.IsNullOrWhiteSpace(record.ChildId))
        {
            reasons.Add("childId is missing");
        }
        else if (record.ChildId.Length > MaxIdLength)
        {
            reasons.Add($"childId is longer than {MaxIdLength} characters");
        }

        if ((record.ExternalIds ?? []).Any(e => e is null || (e.System?.Length ?? 0) > MaxIdLength || (e.Id?.Length ?? 0) > MaxIdLength))
        {
            reasons.Add($"an externalIds entry is empty or longer than {MaxIdLength} characters");
        }

        if (record.NhsNumber is { Length: > 20 })
        {
            reasons.Add("nhsNumber is longer than 20 characters");
        }

        if (record.LevelOfNeed is { Length: > MaxIdLength })
        {
            reasons.Add($"levelOfNeed is longer than {MaxIdLength} characters");
        }

        if ((record.Services ?? []).Any(s => s is null) || (record.Plan?.Outcomes ?? []).Any(o => o is null))
        {
            reasons.Add("services and plan.outcomes may not hold null entries");
        }
        else if ((record.Services ?? []).Any(s => string.IsNullOrWhiteSpace(s.ServiceId) || s.ServiceId.Length > MaxIdLength))
        {
            reasons.Add($"a services entry has no serviceId or one longer than {MaxIdLength} characters");
        }

        if (string.IsNullOrWhiteSpace(record.Name?.Given) || string.IsNullOrWhiteSpace(record.Name?.Family))
        {
            reasons.Add("name.given and name.family are required");
        }

        if (record.DateOfBirth is null)
        {
            reasons.Add("dateOfBirth is missing");
        }

        if (string.IsNullOrWhiteSpace(record.LevelOfNeed))
        {
            reasons.Add("levelOfNeed is missing");
        }

        if (record.Status is not ("open" or "closed"))
        {
            reasons.Add("status must be open or closed");
        }

        if (record.UpdatedAt is null)
        {
            reasons.Add("updatedAt is missing");
        }

        if (record.Version is null)
        {
            reasons.Add("version is missing");
        }

        return reasons;
    }

    private static IEnumerable<(string Field, DateOnly? Value)> JourneyDates(ChildRecord record)
    {
        yield return ("updatedAt", record.UpdatedAt is { } updatedAt ? DateOnly.FromDateTime(updatedAt.UtcDateTime) : null);
        yield return ("closedOn", record.ClosedOn);
        yield return ("leadProfessional.acceptedOn", record.LeadProfessional?.AcceptedOn);
        var agreement = record.StepDown;
        yield return ("stepDown.agreedOn", agreement?.AgreedOn);
        yield return ("stepDown.smartPlanUpdatedOn", agreement?.SmartPlanUpdatedOn);
        yield return ("stepDown.planSharedOn", agreement?.PlanSharedOn);
        yield return ("stepDown.withdrawnOn", agreement?.WithdrawnOn);
        yield return ("stepDown.proposedLeadProfessional.acceptedOn", agreement?.ProposedLeadProfessional?.AcceptedOn);
    }
}
