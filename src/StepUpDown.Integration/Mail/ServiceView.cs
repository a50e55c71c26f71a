namespace StepUpDown.Integration.Mail;

/// <summary>The service that stepped in or out.</summary>
public sealed record ServiceView(string Name, string? Agency, string? ContactEmail, string? JoinedOn, string? LeftOn, string? LeftReason);
