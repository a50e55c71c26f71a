using MimeKit;

namespace StepUpDown.Integration.Mail;

/// <summary>Hands a finished message to whatever carries it.</summary>
public interface IMailTransport
{
    /// <summary>
    /// Sends the message; throws when it was not accepted. <paramref name="stillOwned"/> (when given)
    /// is asked once the connection is ready, just before the message is handed over: false abandons
    /// the send (<see cref="SendAbandonedException"/>), and nothing reaches the relay.
    /// </summary>
    Task SendAsync(MimeMessage message, Func<CancellationToken, Task<bool>>? stillOwned, CancellationToken cancellationToken);

    /// <summary>True when a message it accepts is on its way to the recipient; false for a file nobody reads by itself.</summary>
    bool ReachesRecipients { get; }
}
