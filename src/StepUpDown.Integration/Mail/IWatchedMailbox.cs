namespace StepUpDown.Integration.Mail;

/// <summary>A mailbox this instance reads as mail lands (the bounce mailbox, the reply mailbox).</summary>
public interface IWatchedMailbox
{
    /// <summary>True when the mailbox is configured.</summary>
    bool IsRead { get; }

    /// <summary>The longest wait between reads, and the wait after a failure or while a peer reads.</summary>
    TimeSpan PollInterval { get; }

    /// <summary>The last read, for readiness.</summary>
    MailboxStatus Status { get; }

    /// <summary>Reads every message; false when a peer was reading it. Throws when the mailbox cannot be read.</summary>
    Task<bool> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Returns when mail lands (IMAP IDLE), or after <paramref name="atMost"/>.</summary>
    Task WaitForMailAsync(TimeSpan atMost, CancellationToken cancellationToken);
}
