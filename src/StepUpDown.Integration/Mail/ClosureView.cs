namespace StepUpDown.Integration.Mail;

/// <summary>How the record closed, when it is closed.</summary>
/// <param name="ClosedOn">When, in words.</param>
/// <param name="ChildDied">The child died.</param>
/// <param name="MovedAway">The case moved to another council.</param>
/// <param name="TransferredTo">The council it moved to, where the record names it.</param>
public sealed record ClosureView(string? ClosedOn, bool ChildDied, bool MovedAway, string? TransferredTo);
