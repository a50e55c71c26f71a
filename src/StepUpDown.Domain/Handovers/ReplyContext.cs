namespace StepUpDown.Domain.Handovers;

/// <summary>What is known of a reply's handover and sender when it is read.</summary>
/// <param name="Handover">The handover's state; null when the token names none, or is not genuine for its proposed lead.</param>
/// <param name="FromProposedLead">The reply comes from the proposed lead's own address.</param>
/// <param name="SenderAuthenticated">False when the message's authentication results say its domain disowns it (DMARC fail).</param>
/// <param name="EarlierAnswer">The proposed lead's answer by an earlier reply; null for none.</param>
public sealed record ReplyContext(HandoverState? Handover, bool FromProposedLead, bool SenderAuthenticated, ReplyKind? EarlierAnswer);
