using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// When the relay answers again after an outage, the notices waiting out Hangfire's backoff go
/// out at once, not at their next retry (design: Guarantees, "what waited goes out within a
/// minute"). The dispatch's safety net (every 15 seconds) asks: with notices waiting whose last
/// try never reached the relay (connection, greeting, TLS or login), it probes the relay as a send
/// would, logging in; a probe that fails, however, never stops the dispatch. When a probe works after one that did not
/// (or after this process started), every such notice's job still waiting for its retry
/// (Scheduled) is moved on. A notice the relay deferred with a 4xx reply (greylisting, a busy
/// mailbox) keeps Hangfire's backoff, and a relay that answers probes all along brings nothing
/// forward twice.
/// </summary>
public sealed partial class RelayRecovery(
    NotificationLedger ledger, IBackgroundJobClient jobs, IOptions<MailOptions> mail, RelayLoginGate logins, ILogger<RelayRecovery> logger)
{
    private bool _relayDown = true;

    /// <summary>With notices waiting because the relay could not be reached, probes it; once it answers again, brings them forward.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (!mail.Value.UsesSmtp)
        {
            return;
        }

        var waiting = await ledger.WaitingForRetryAsync(DeliveryFailure.NotReachedPrefix);
        if (waiting.Count == 0)
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
            var moved = waiting.Count(jobId => jobs.ChangeState(jobId, new EnqueuedState(), ScheduledState.StateName));
            LogBroughtForward(logger, moved);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The SMTP relay answers again: {Count} notices waiting for a retry are sent now")]
    private static partial void LogBroughtForward(ILogger logger, int count);
}
