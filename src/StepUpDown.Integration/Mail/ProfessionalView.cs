namespace StepUpDown.Integration.Mail;

/// <summary>A professional with contacts.</summary>
public sealed record ProfessionalView(string Name, string? Role, string? Agency, string? Email, string? Phone, string? AcceptedOn);
