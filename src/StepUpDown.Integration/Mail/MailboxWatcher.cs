using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Reads a mailbox in this instance, then waits for the next message with IMAP IDLE, or at most
/// its <c>PollInterval</c>; after a failure, it waits one interval before trying again (never a
/// tight loop of IMAP logins). While a peer reads it (another instance, or this one's recurring
/// job), it asks again every <see cref="PeerTurn"/>: asking costs one database statement and no
/// IMAP login, and what landed meanwhile is read as soon as the peer is done, not a whole interval
/// later (the minutely job once held a report back 15 s). One per mailbox: register each as its own
/// <see cref="IHostedService"/> (<c>AddHostedService</c> would keep only the first of one type).
/// </summary>
/// <param name="mailbox">The mailbox.</param>
/// <param name="name">What the log calls it ("bounce mailbox").</param>
/// <param name="logger">The log.</param>
internal sealed partial class MailboxWatcher(IWatchedMailbox mailbox, string name, ILogger<MailboxWatcher> logger) : BackgroundService
{
    /// <summary>How often the read is asked for again while a peer holds it.</summary>
    public static readonly TimeSpan PeerTurn = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!mailbox.IsRead)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (!await mailbox.ReadAsync(stoppingToken))
                    {
                        // A peer is reading it, and the folder may stay full until it is done: ask again
                        // shortly, rather than wait on the folder (an IMAP login each time it is full).
                        mailbox.Status.WaitedTurn();
                        await Task.Delay(PeerTurn < mailbox.PollInterval ? PeerTurn : mailbox.PollInterval, stoppingToken);
                        continue;
                    }

                    await mailbox.WaitForMailAsync(mailbox.PollInterval, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The type only: a server's words may quote an address. The recurring job fails with the whole story.
                    LogFailed(logger, name, exception.GetType().Name);
                    await Task.Delay(mailbox.PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Mailbox} could not be read ({Error}); it is read again when it can, sending goes on")]
    private static partial void LogFailed(ILogger logger, string mailbox, string error);
}
