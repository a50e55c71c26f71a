namespace StepUpDown.Integration.Mail;

/// <summary>A notice that could not be delivered, for the MASSH to follow up.</summary>
/// <param name="Role">Who could not be written to.</param>
/// <param name="Reason">Why (names no person or address).</param>
public sealed record UndeliveredView(string Role, string Reason);
