using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StepUpDown.Integration.Jobs;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Reads a mailbox in this instance (an <see cref="ActivityRunner"/>): at start, then whenever mail
/// lands (IMAP IDLE) or at most every <c>PollInterval</c>; after a failure, one interval later
/// (never a tight loop of IMAP logins). While a peer reads it (another instance, or this one's
/// recurring job), it asks again every <see cref="PeerTurn"/>: asking costs one database statement
/// and no IMAP login, and what landed meanwhile is read as soon as the peer is done, not a whole
/// interval later (the minutely job once held a report back 15 s). One per mailbox: register each
/// as its own <see cref="IHostedService"/> (<c>AddHostedService</c> would keep only the first of one type).
/// </summary>
/// <param name="mailbox">The mailbox.</param>
/// <param name="name">What the log calls it ("bounce mailbox").</param>
/// <param name="logger">The log.</param>
internal sealed class MailboxWatcher(IWatchedMailbox mailbox, string name, ILogger<MailboxWatcher> logger) : BackgroundService
{
    /// <summary>How often the read is asked for again while a peer holds it.</summary>
    public static readonly TimeSpan PeerTurn = TimeSpan.FromSeconds(1);

    /// <summary>Reads the mailbox until the host stops; its settings are read here, once start-up has validated them.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        mailbox.IsRead
            ? new ActivityRunner(name, new ActivitySchedule(mailbox.PollInterval, RunAtStart: true, PeerTurn, mailbox.WaitForMailAsync), ReadAsync, logger).RunAsync(stoppingToken)
            : Task.CompletedTask;

    private async Task<RunOutcome> ReadAsync(RunTrigger trigger, CancellationToken cancellationToken)
    {
        if (await mailbox.ReadAsync(cancellationToken))
        {
            return RunOutcome.Done;
        }

        // A peer is reading it, and the folder may stay full until it is done: ask again shortly,
        // rather than wait on the folder (an IMAP login each time it is full).
        mailbox.Status.WaitedTurn();
        return RunOutcome.PeerHolds;
    }
}
