namespace StepUpDown.Integration.Mail;

/// <summary>One plan outcome.</summary>
public sealed record OutcomeView(string Description, string? Owner, string? DueOn);
