namespace StepUpDown.Integration.Mail;

/// <summary>The allocated team.</summary>
public sealed record TeamView(string? Name, string? ManagerName, string? ManagerEmail);
