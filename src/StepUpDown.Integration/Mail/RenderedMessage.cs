namespace StepUpDown.Integration.Mail;

/// <summary>A message rendered from its templates.</summary>
/// <param name="Subject">One line.</param>
/// <param name="Text">The plain-text part.</param>
/// <param name="Html">The HTML part.</param>
public sealed record RenderedMessage(string Subject, string Text, string Html);
