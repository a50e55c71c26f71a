namespace StepUpDown.Integration.Mail;

/// <summary>A GP practice and its secure mailbox, as the contract's <c>GpPracticeEntry</c>.</summary>
public sealed record GpPracticeEntry(string OdsCode, string Name, string? SecureEmail);
