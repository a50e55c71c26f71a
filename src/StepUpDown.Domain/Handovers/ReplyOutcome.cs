namespace StepUpDown.Domain.Handovers;

/// <summary>What a reply to a handover pack did (design: "Replies"): it acts, changes nothing, or waits for a person.</summary>
public enum ReplyOutcome
{
    /// <summary>The proposed lead accepted: the ladder stops chasing acceptance, the MASSH hears who leads.</summary>
    Accepted,

    /// <summary>The proposed lead declined: a recorded disagreement, straight to stage 2.</summary>
    Declined,

    /// <summary>The same answer again: changes nothing.</summary>
    Repeated,

    /// <summary>An automatic reply (out of office): changes nothing, and nobody needs to read it.</summary>
    Ignored,

    /// <summary>Neither Accept nor Decline could be read: for a person.</summary>
    Unreadable,

    /// <summary>The reply address names no handover this service sent, or its token is forged or out of date: for a person.</summary>
    UnknownHandover,

    /// <summary>From an address other than the proposed lead's: for a person.</summary>
    NotTheProposedLead,

    /// <summary>The sender's own domain failed to vouch for the message (DMARC fail): for a person.</summary>
    NotAuthenticated,

    /// <summary>The handover is complete or withdrawn: for a person.</summary>
    HandoverClosed,

    /// <summary>The proposed lead answered before, the other way: for a person, who asks them which stands.</summary>
    AnswerChanged,
}
