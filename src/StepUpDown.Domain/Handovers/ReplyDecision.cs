namespace StepUpDown.Domain.Handovers;

/// <summary>Decides what a reply does. Pure; a table test covers it.</summary>
public static class ReplyDecision
{
    /// <summary>The outcome of a reply read as <paramref name="reading"/>, in <paramref name="context"/>: only an answer of the proposed lead's own, to an open handover, acts.</summary>
    public static ReplyOutcome Decide(ReplyReading reading, ReplyContext context)
    {
        ArgumentNullException.ThrowIfNull(reading);
        ArgumentNullException.ThrowIfNull(context);
        return reading.Kind switch
        {
            ReplyKind.Automatic => ReplyOutcome.Ignored,
            _ when context.Handover is null => ReplyOutcome.UnknownHandover,
            _ when !context.SenderAuthenticated => ReplyOutcome.NotAuthenticated,
            _ when !context.FromProposedLead => ReplyOutcome.NotTheProposedLead,
            _ when context.Handover != HandoverState.Open => ReplyOutcome.HandoverClosed,
            ReplyKind.Unreadable => ReplyOutcome.Unreadable,
            _ when context.EarlierAnswer == reading.Kind => ReplyOutcome.Repeated,
            _ when context.EarlierAnswer is not null => ReplyOutcome.AnswerChanged,
            ReplyKind.Accept => ReplyOutcome.Accepted,
            ReplyKind.Decline => ReplyOutcome.Declined,
            _ => throw new ArgumentOutOfRangeException(nameof(reading), reading.Kind, null),
        };
    }

    /// <summary>True for the outcomes listed on the dashboard's "Replies needing a person" page.</summary>
    public static bool NeedsAPerson(ReplyOutcome outcome) =>
        outcome is not (ReplyOutcome.Accepted or ReplyOutcome.Declined or ReplyOutcome.Repeated or ReplyOutcome.Ignored);

    /// <summary>Why a reply waits for a person, in words for the dashboard (no names, no text of the reply).</summary>
    public static string Describe(ReplyOutcome outcome) => outcome switch
    {
        ReplyOutcome.Accepted => "Accepted the lead role",
        ReplyOutcome.Declined => "Declined the lead role",
        ReplyOutcome.Repeated => "The same answer again",
        ReplyOutcome.Ignored => "Automatic reply",
        ReplyOutcome.Unreadable => "Neither Accept nor Decline could be read: read it in the mailbox",
        ReplyOutcome.UnknownHandover => "The reply address names no handover of this service (forged, or out of date)",
        ReplyOutcome.NotTheProposedLead => "Not from the proposed lead's own address",
        ReplyOutcome.NotAuthenticated => "The sender's domain did not vouch for it (DMARC failed)",
        ReplyOutcome.HandoverClosed => "The handover is already complete or withdrawn",
        ReplyOutcome.AnswerChanged => "The proposed lead answered the other way before: ask which stands",
        _ => outcome.ToString(),
    };
}
