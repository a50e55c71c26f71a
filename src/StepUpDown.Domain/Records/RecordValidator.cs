namespace StepUpDown.Domain.Records;

/// <summary>
/// Checks a parsed record against what the contract requires. The reasons it gives name
/// fields, never values, so they are safe to store and log.
/// </summary>
public static class RecordValidator
{
    /// <summary>The reasons the record cannot be used; empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(ChildRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var reasons = new List<string>();
        if (string.IsNullOrWhiteSpace(record.ChildId))
        {
            reasons.Add("childId is missing");
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
}
