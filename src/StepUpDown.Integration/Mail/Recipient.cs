namespace StepUpDown.Integration.Mail;

/// <summary>A resolved recipient: who, where, and the GP practice when it is one.</summary>
public sealed record Recipient(string Name, string Address, GpPracticeEntry? Practice);
