using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Reads a mailbox in this instance, then waits for the next message with IMAP IDLE, or at most
/// its <c>PollInterval</c>; while a peer reads it, and after a failure, it waits one interval before
/// trying again (never a tight loop of IMAP logins). One per mailbox: register each as its own
/// <see cref="IHostedService"/> (<c>AddHostedService</c> would keep only the first of one type).
/// </summary>
/// <param name="mailbox">The mailbox.</param>
/// <param name="name">What the log calls it ("bounce mailbox").</param>
/// <param name="logger">The log.</param>
internal sealed partial class MailboxWatcher(IWatchedMailbox mailbox, string name, ILogger<MailboxWatcher> logger) : BackgroundService
{
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
                        // A peer is reading it, and the folder may stay full until it is done: wait a
                        // turn, rather than connect to IMAP again and again meanwhile.
                        mailbox.Status.WaitedTurn();
                        await Task.Delay(mailbox.PollInterval, stoppingToken);
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
