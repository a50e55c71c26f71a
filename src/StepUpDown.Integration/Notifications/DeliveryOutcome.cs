using MailKit.Net.Smtp;
using MimeKit;

namespace StepUpDown.Integration.Notifications;

/// <summary>What one delivery attempt came to.</summary>
public enum DeliveryResult
{
    /// <summary>The row is done: sent, written to the outbox, withheld, or done before.</summary>
    Done,

    /// <summary>Another live attempt is sending it and owns it.</summary>
    InFlight,

    /// <summary>Not delivered; the row is pending, due again at its next attempt.</summary>
    TryAgain,

    /// <summary>Not delivered, and trying again cannot help or its retries ran out: the row is failed and the MASSH told.</summary>
    Failed,
}

/// <summary>The outcome of one attempt, for the dispatch to act on.</summary>
/// <param name="Result">What the attempt came to.</param>
/// <param name="FailureKind">For <see cref="DeliveryResult.TryAgain"/> and <see cref="DeliveryResult.Failed"/>: why, in kind.</param>
/// <param name="NoticeAdded">The attempt added a notice to the ledger (the MASSH's, of a failure) that wants dispatching.</param>
public sealed record DeliveryOutcome(DeliveryResult Result, DeliveryFailureKind? FailureKind = null, bool NoticeAdded = false)
{
    /// <summary>The outcome of a row that needs nothing more.</summary>
    public static readonly DeliveryOutcome Done = new(DeliveryResult.Done);

    /// <summary>The attempt never reached the relay: the rest of the dispatch's batch waits rather than try it too.</summary>
    public bool RelayNotReached => FailureKind == DeliveryFailureKind.NotReached;
}

/// <summary>Why one attempt failed, and whether trying again can help.</summary>
/// <param name="Kind">Not reached, deferred, or refused (trying again cannot help).</param>
/// <param name="Reason">Why, naming codes, never addresses or content.</param>
public sealed record DeliveryFailure(DeliveryFailureKind Kind, string Reason)
{
    /// <summary>Trying again cannot help.</summary>
    public bool Permanent => Kind == DeliveryFailureKind.Refused;

    /// <summary>
    /// Refused: our own <see cref="PermanentDeliveryException"/> and 5xx SMTP replies (recipient
    /// refused, mailbox unavailable). Deferred: 4xx replies. Everything else (connection refused,
    /// timeouts, a login refused, protocol errors) never got the relay's answer to the message, and
    /// is not reached. Reasons name codes, never addresses or content.
    /// </summary>
    public static DeliveryFailure Of(Exception exception) => exception switch
    {
        PermanentDeliveryException permanent => new DeliveryFailure(DeliveryFailureKind.Refused, permanent.Message),
        RelayNotReachedException notReached => new DeliveryFailure(DeliveryFailureKind.NotReached, $"{NotReachedPrefix}{notReached.Message}"),
        ParseException or FormatException => new DeliveryFailure(DeliveryFailureKind.Refused, $"The message could not be built: {exception.GetType().Name}"),
        SmtpCommandException { StatusCode: var status } when (int)status >= 500 =>
            new DeliveryFailure(DeliveryFailureKind.Refused, $"SMTP server refused the message: {(int)status} {status}"),
        SmtpCommandException { StatusCode: var status } => new DeliveryFailure(DeliveryFailureKind.Deferred, $"SMTP server deferred the message: {(int)status} {status}"),
        _ => new DeliveryFailure(DeliveryFailureKind.NotReached, $"{NotReachedPrefix}{exception.GetType().Name}"),
    };

    /// <summary>How the reason of a failure that never got an SMTP reply begins (the relay down or unreachable), as against a 4xx deferral.</summary>
    public const string NotReachedPrefix = "Delivery failed: ";
}
