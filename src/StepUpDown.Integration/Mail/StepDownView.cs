namespace StepUpDown.Integration.Mail;

/// <summary>The agreed step down.</summary>
/// <param name="AgreedOn">When, in words.</param>
/// <param name="Forum">Where, in words (e.g. "CP conference").</param>
/// <param name="Disagreement">A recorded disagreement.</param>
/// <param name="TargetLevel">The level agreed, by its continuum name where the source's code maps (else the code).</param>
public sealed record StepDownView(string? AgreedOn, string? Forum, string? Disagreement, string? TargetLevel);
