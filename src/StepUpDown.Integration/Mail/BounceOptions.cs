namespace StepUpDown.Integration.Mail;

/// <summary>Where delivery reports come back (section <c>Mail:Bounces</c>).</summary>
public sealed class BounceOptions
{
    /// <summary>The bounce mailbox, read over IMAP; no host: no mailbox is read, and "sent" stays "the relay accepted it".</summary>
    public ImapOptions Imap { get; init; } = new();

    /// <summary>True when a bounce mailbox is configured.</summary>
    public bool IsRead => !string.IsNullOrWhiteSpace(Imap.Host);
}
