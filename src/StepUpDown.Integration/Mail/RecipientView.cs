namespace StepUpDown.Integration.Mail;

/// <summary>Who the notice is for.</summary>
/// <param name="Name">Name to greet.</param>
/// <param name="Role">The recipient role.</param>
public sealed record RecipientView(string Name, string Role);
