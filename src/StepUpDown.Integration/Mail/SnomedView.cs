namespace StepUpDown.Integration.Mail;

/// <summary>The SNOMED CT concept suggested for the practice to record.</summary>
public sealed record SnomedView(string Code, string Term);
