using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// When the relay answers again after an outage, the notices waiting for it go out at once, not at
/// their next retry (design: Guarantees, "what waited goes out within a minute"). The dispatch's
/// safety net (every 15 seconds) asks: while a notice waits because an outage cut its last attempt
/// off (the relay not reached: connection, greeting, TLS or login; or the send interrupted), it probes the relay as a send would, logging in
/// through <see cref="RelayLoginGate"/> (so a relay refusing logins sees at most one every 15
/// seconds from this instance, never one per waiting notice); a probe that fails never stops the
/// dispatch. When a probe works after one that did not (or after this process started), every such
/// notice is made due now, in one statement (an attempt of the dispatch that finds the relay not
/// reached counts as a failed probe). A notice the relay deferred with a 4xx reply
/// (greylisting, a busy mailbox) keeps its schedule, and a relay that answers probes all along
/// brings nothing forward twice.
/// </summary>
public sealed partial class RelayRecovery(NotificationLedger ledger, IOptions<MailOptions> mail, RelayLoginGate logins, ILogger<RelayRecovery> logger)
{
    private volatile bool _relayDown = true;

    /// <summary>
    /// True while the relay refused a login less than 15 seconds ago: an attempt now would not
    /// ask it, so the dispatch makes none, and the notices wait for this probe (or the gate's next opening).
    /// </summary>
    public bool RefusingLogins => logins.Refusing;

    /// <summary>An attempt found the relay not reached: the next probe that works brings the waiting forward.</summary>
    public void FoundNotReached() => _relayDown = true;

    /// <summary>With notices waiting because the relay could not be reached, probes it; once it answers again, makes them due.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (!mail.Value.UsesSmtp || !await ledger.AnyWaitingForRelayAsync())
        {
            return;
        }

        if (await SmtpMailTransport.ProbeAsync(mail.Value.Smtp, logins, cancellationToken) is not null)
        {
            _relayDown = true;
            return;
        }

        if (_relayDown)
        {
            _relayDown = false;
            var count = await ledger.BringForwardNotReachedAsync();
            LogBroughtForward(logger, count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The SMTP relay answers again: {Count} notices waiting for it are due now")]
    private static partial void LogBroughtForward(ILogger logger, int count);
}
