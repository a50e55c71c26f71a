using MailKit.Net.Smtp;
using MimeKit;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.Notifications;

/// <summary>Why one attempt failed, and whether trying again can help.</summary>
/// <param name="Kind">Not reached, deferred, or refused (trying again cannot help).</param>
/// <param name="Reason">Why, naming codes, never addresses or content.</param>
public sealed record DeliveryFailure(DeliveryFailureKind Kind, string Reason)
{
    /// <summary>Trying again cannot help.</summary>
    public bool Permanent => Kind == DeliveryFailureKind.Refused;

    /// <summary>
    /// Refused: our own <see cref="PermanentDeliveryException"/> and 5xx SMTP replies (recipient
    /// refused, mailbox unavailable). Deferred: 4xx replies. Not reached: the connection, greeting,
    /// TLS or login failed (<see cref="RelayNotReachedException"/>). Everything else (a cut, a
    /// timeout, a protocol error mid-send) never got the relay's answer to the message, and is
    /// interrupted. Reasons name codes, never addresses or content.
    /// </summary>
    public static DeliveryFailure Of(Exception exception) => exception switch
    {
        PermanentDeliveryException permanent => new DeliveryFailure(DeliveryFailureKind.Refused, permanent.Message),
        RelayNotReachedException notReached => new DeliveryFailure(DeliveryFailureKind.NotReached, $"{NotReachedPrefix}{notReached.Message}"),
        ParseException or FormatException => new DeliveryFailure(DeliveryFailureKind.Refused, $"The message could not be built: {exception.GetType().Name}"),
        SmtpCommandException { StatusCode: var status } when (int)status >= 500 =>
            new DeliveryFailure(DeliveryFailureKind.Refused, $"SMTP server refused the message: {(int)status} {status}"),
        SmtpCommandException { StatusCode: var status } => new DeliveryFailure(DeliveryFailureKind.Deferred, $"SMTP server deferred the message: {(int)status} {status}"),
        _ => new DeliveryFailure(DeliveryFailureKind.Interrupted, $"{NotReachedPrefix}{exception.GetType().Name}"),
    };

    /// <summary>How the reason of a failure that never got an SMTP reply begins (the relay down or unreachable), as against a 4xx deferral.</summary>
    public const string NotReachedPrefix = "Delivery failed: ";
}
