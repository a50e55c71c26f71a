using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// When the relay answers again after an outage, the notices waiting out Hangfire's backoff go
/// out at once, not at their next retry (design: Guarantees, "what waited goes out within a
/// minute"). The return is seen either way: a delivery the relay accepts after a transient
/// failure of this process, or the dispatch's safety net (every 15 seconds) finding notices
/// waiting for a retry and a probe of the relay answered. Only a job still waiting for its retry
/// (Scheduled) is moved on; one running, done or deleted is left as it is.
/// </summary>
public sealed partial class RelayRecovery(
    NotificationLedger ledger, IBackgroundJobClient jobs, IOptions<MailOptions> mail, ILogger<RelayRecovery> logger)
{
    private int _failing;

    /// <summary>A delivery of this process failed for a reason that may pass (the relay down, a 4xx).</summary>
    public void TransientFailure() => Interlocked.Exchange(ref _failing, 1);

    /// <summary>The relay accepted a delivery: after a transient failure, brings the waiting retries forward.</summary>
    public Task AcceptedAsync() => Interlocked.Exchange(ref _failing, 0) == 1 ? BringForwardAsync() : Task.CompletedTask;

    /// <summary>With notices waiting for a retry, asks the relay whether it answers, and if it does brings them forward.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (!mail.Value.UsesSmtp || (await ledger.WaitingForRetryAsync()).Count == 0)
        {
            return;
        }

        if (await SmtpMailTransport.ProbeAsync(mail.Value.Smtp, cancellationToken) is null)
        {
            await BringForwardAsync();
        }
    }

    private async Task BringForwardAsync()
    {
        var moved = (await ledger.WaitingForRetryAsync()).Count(jobId => jobs.ChangeState(jobId, new EnqueuedState(), ScheduledState.StateName));
        if (moved > 0)
        {
            LogBroughtForward(logger, moved);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The SMTP relay answers again: {Count} notices waiting for a retry are sent now")]
    private static partial void LogBroughtForward(ILogger logger, int count);
}
