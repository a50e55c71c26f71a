namespace StepUpDown.Integration.Mail;

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
