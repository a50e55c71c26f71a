namespace StepUpDown.Integration.Mail;

/// <summary>What the MASSH's daily list of quarantined records shows (snake_case in Liquid): case ids only, never what a record held.</summary>
/// <param name="Day">The council's day, in words.</param>
/// <param name="Count">How many cases it lists.</param>
/// <param name="Sources">The cases by case system.</param>
/// <param name="Council">The council and its numbers.</param>
public sealed record QuarantineListModel(string Day, int Count, IReadOnlyList<QuarantineListSource> Sources, CouncilOptions Council)
{
    /// <summary>The template it is written with.</summary>
    public const string Template = "massh-quarantine-list";
}

/// <summary>One case system's quarantined cases.</summary>
/// <param name="Source">The case system.</param>
/// <param name="Cases">Its cases, oldest first.</param>
public sealed record QuarantineListSource(string Source, IReadOnlyList<QuarantineListCase> Cases);

/// <summary>One case set aside.</summary>
/// <param name="CaseId">The case id, or words saying the record had no readable one.</param>
/// <param name="Since">Since when, in words.</param>
public sealed record QuarantineListCase(string CaseId, string Since);
