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

    /// <summary>Not delivered; another try may help.</summary>
    TryAgain,

    /// <summary>Not delivered, and trying again cannot help: the row is failed and the MASSH told.</summary>
    Failed,
}

/// <summary>The outcome of one attempt, for the dispatch or the row's job to act on.</summary>
/// <param name="Result">What the attempt came to.</param>
/// <param name="Failure">For <see cref="DeliveryResult.TryAgain"/> and <see cref="DeliveryResult.Failed"/>: why, without personal data.</param>
/// <param name="NoticeAdded">The attempt added a notice to the ledger (the MASSH's, of a failure) that wants dispatching.</param>
public sealed record DeliveryOutcome(DeliveryResult Result, Exception? Failure = null, bool NoticeAdded = false)
{
    /// <summary>The outcome of a row that needs nothing more.</summary>
    public static readonly DeliveryOutcome Done = new(DeliveryResult.Done);

    /// <summary>For a job: returns when the row is done, throws (for Hangfire's retry or failed state) when it is not.</summary>
    public void ThrowUnlessDone(Guid notificationId)
    {
        switch (Result)
        {
            case DeliveryResult.Done:
                return;
            case DeliveryResult.InFlight:
                throw new DeliveryInFlightException(notificationId);
            default:
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(Failure!);
                return;
        }
    }
}

/// <summary>Why one attempt failed, and whether trying again can help.</summary>
/// <param name="Permanent">Trying again cannot help.</param>
/// <param name="Reason">Why, naming codes, never addresses or content.</param>
public sealed record DeliveryFailure(bool Permanent, string Reason)
{
    /// <summary>
    /// Permanent: our own <see cref="PermanentDeliveryException"/> and 5xx SMTP replies (recipient
    /// refused, mailbox unavailable). Everything else (connection refused, timeouts, 4xx, protocol
    /// errors) is worth another try. Reasons name codes, never addresses or content.
    /// </summary>
    public static DeliveryFailure Of(Exception exception) => exception switch
    {
        PermanentDeliveryException permanent => new DeliveryFailure(true, permanent.Message),
        RelayNotReachedException notReached => new DeliveryFailure(false, $"{NotReachedPrefix}{notReached.Message}"),
        ParseException or FormatException => new DeliveryFailure(true, $"The message could not be built: {exception.GetType().Name}"),
        SmtpCommandException { StatusCode: var status } when (int)status >= 500 =>
            new DeliveryFailure(true, $"SMTP server refused the message: {(int)status} {status}"),
        SmtpCommandException { StatusCode: var status } => new DeliveryFailure(false, $"SMTP server deferred the message: {(int)status} {status}"),
        _ => new DeliveryFailure(false, $"{NotReachedPrefix}{exception.GetType().Name}"),
    };

    /// <summary>How the reason of a failure that never got an SMTP reply begins (the relay down or unreachable), as against a 4xx deferral.</summary>
    public const string NotReachedPrefix = "Delivery failed: ";
}
