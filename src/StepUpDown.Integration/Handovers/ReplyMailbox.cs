using System.Security.Cryptography;
using System.Text;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Handovers;

/// <summary>What one read of the reply mailbox did.</summary>
/// <param name="Skipped">Another instance was reading it.</param>
/// <param name="Read">Messages read (and moved out of the folder).</param>
/// <param name="Acted">Replies that accepted or declined a handover.</param>
/// <param name="ForAPerson">Replies listed for a person (moved to <see cref="ReplyMailbox.ForAPersonFolder"/>).</param>
public sealed record ReplyReadResult(bool Skipped, int Read, int Acted, int ForAPerson);

/// <summary>
/// Reads the proposed leads' answers (<c>Mail:Replies:Imap</c>; design: "Replies"): each reply is
/// matched to its handover by the token in the address it was sent to, read (<see cref="Replies.Read"/>),
/// decided (<see cref="ReplyDecision.Decide"/>) and recorded once (its Message-Id is remembered). An
/// answer is kept on its handover, and the sweep is run at once to act on it; anything else is
/// listed for a person, never acted on. One instance reads at a time.
/// </summary>
public sealed partial class ReplyMailbox(
    IOptions<MailOptions> mail,
    ReplyAddresses addresses,
    NpgsqlDataSource dataSource,
    ReplyMailboxStatus status,
    IBackgroundJobClient jobs,
    TimeProvider time,
    ILogger<ReplyMailbox> logger) : IWatchedMailbox
{
    /// <summary>Where a reply goes once recorded.</summary>
    public const string ProcessedFolder = "Replies processed";

    /// <summary>Where a reply that waits for a person goes, for them to read.</summary>
    public const string ForAPersonFolder = "Replies needing a person";

    /// <summary>Headers a mail server records the address a message was delivered to in (a Bcc or a forward leaves To without it).</summary>
    private static readonly string[] DeliveryHeaders = ["Delivered-To", "X-Original-To", "Envelope-To"];

    private ImapMailbox Mailbox => new(mail.Value.Replies.Imap, ProcessedFolder, ForAPersonFolder);

    /// <summary>True when replies are asked for and read.</summary>
    public bool IsRead => mail.Value.Replies.AreRead;

    /// <inheritdoc />
    public TimeSpan PollInterval => mail.Value.Replies.Imap.PollInterval;

    /// <inheritdoc />
    MailboxStatus IWatchedMailbox.Status => status;

    async Task<bool> IWatchedMailbox.ReadAsync(CancellationToken cancellationToken) => !(await ReadAsync(cancellationToken)).Skipped;

    /// <inheritdoc cref="ImapMailbox.WaitForMailAsync"/>
    public Task WaitForMailAsync(TimeSpan atMost, CancellationToken cancellationToken) => Mailbox.WaitForMailAsync(atMost, cancellationToken);

    /// <summary>Reads every reply in the folder; throws when the mailbox cannot be read (readiness says so).</summary>
    public async Task<ReplyReadResult> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var readLock = await AdvisoryLock.TryAcquireAsync(connection, "reply-mailbox", cancellationToken);
        if (readLock is null)
        {
            return new ReplyReadResult(true, 0, 0, 0);
        }

        return await status.RecordAsync(
            async () =>
            {
                var outcomes = new List<ReplyOutcome>();
                var read = await Mailbox.ReadAsync(
                    async message =>
                    {
                        var outcome = await RecordAsync(message, cancellationToken);
                        outcomes.Add(outcome);
                        return ReplyDecision.NeedsAPerson(outcome);
                    },
                    cancellationToken);
                var acted = outcomes.Count(o => o is ReplyOutcome.Accepted or ReplyOutcome.Declined);
                if (acted > 0)
                {
                    // The answers are on their handovers: the sweep acts on them now, not at its next turn.
                    jobs.Enqueue<SweepHandoversJob>(job => job.ExecuteAsync(CancellationToken.None));
                }

                var result = new ReplyReadResult(false, read, acted, outcomes.Count(ReplyDecision.NeedsAPerson));
                if (read > 0)
                {
                    LogRead(logger, result.Read, result.Acted, result.ForAPerson);
                }

                return result;
            },
            time,
            cancellationToken);
    }

    /// <summary>
    /// Deletes what the mailbox has filed past its period: processed replies after the ledger's,
    /// those for a person after the quarantine's. Nothing when no replies are read.
    /// </summary>
    public Task<int> PurgeFiledAsync(DateTimeOffset processedBefore, DateTimeOffset forAPersonBefore, CancellationToken cancellationToken) =>
        IsRead ? Mailbox.PurgeFiledAsync(processedBefore, forAPersonBefore, cancellationToken) : Task.FromResult(0);

    /// <summary>Records one reply and what it did; a reply read before changes nothing.</summary>
    private async Task<ReplyOutcome> RecordAsync(MimeMessage? message, CancellationToken cancellationToken)
    {
        var reply = message is null ? ReceivedReply.Unparseable : Received(message);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var work = await UnitOfWork.BeginAsync(connection, time.GetUtcNow(), cancellationToken);
        var replies = new HandoverReplies(work);
        var handovers = new HandoverStore(work);
        if (!await replies.ClaimAsync(reply.MessageHash))
        {
            // Read before (a read cut short after its commit): it acted then, if it was to act.
            return ReplyOutcome.Repeated;
        }

        var handover = Replies.HandoverOf(reply.Token) is { } id ? await handovers.AnswerableAsync(id) : null;
        var genuine = handover is not null && addresses.IsGenuine(reply.Token, handover.Id, handover.ProposedLeadEmail);
        var fromProposedLead = handover?.ProposedLeadEmail is { } proposed && string.Equals(reply.Sender, proposed.Trim(), StringComparison.OrdinalIgnoreCase);
        var earlier = handover is not null && addresses.IsGenuine(handover.ReplyToken, handover.Id, handover.ProposedLeadEmail) ? handover.Answer : null;
        var outcome = ReplyDecision.Decide(reply.Reading, new ReplyContext(genuine ? handover!.State : null, fromProposedLead, reply.Authenticated, earlier));
        if (outcome is ReplyOutcome.Accepted or ReplyOutcome.Declined)
        {
            await handovers.RecordAnswerAsync(handover!.Id, reply.Reading, reply.Token!);
        }

        await replies.RecordAsync(reply.MessageHash, handover?.Id, reply.Reading.Kind, outcome, reply.SenderDomain, fromProposedLead);
        await work.CommitAsync(cancellationToken);
        return outcome;
    }

    /// <summary>What a reply holds that counts: never its text beyond the reading, never the sender's name.</summary>
    private ReceivedReply Received(MimeMessage message)
    {
        var sender = message.From.Mailboxes.FirstOrDefault()?.Address?.Trim();
        var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Select(m => m.Address)
            .Concat(DeliveryHeaders.SelectMany(header => message.Headers.Where(h => h.Field == header).Select(h => h.Value.Trim(' ', '<', '>'))));
        var automatic = message.Headers[HeaderId.AutoSubmitted]
                        ?? (message.Headers["Precedence"] is { } precedence && precedence.Trim().ToLowerInvariant() is "bulk" or "junk" or "list" or "auto_reply" ? "auto-replied" : null);
        return new ReceivedReply(
            Hash(message.MessageId ?? $"{sender}\n{message.Date:O}\n{message.Subject}\n{message.TextBody}"),
            addresses.TokenIn(recipients),
            ReadGuarded(message, automatic),
            sender,
            sender is { } address && address.LastIndexOf('@') is > 0 and var at ? address[(at + 1)..].ToLowerInvariant() : null,
            !message.Headers.Where(h => h.Id == HeaderId.AuthenticationResults).Any(h => h.Value.Contains("dmarc=fail", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>One odd message never stops the mailbox: what cannot be read is unreadable, for a person.</summary>
    private static ReplyReading ReadGuarded(MimeMessage message, string? automatic)
    {
        try
        {
            var text = message.TextBody ?? (message.HtmlBody is { } html ? PlainText(html) : null);
            return Replies.Read(text, message.Subject, automatic);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return new ReplyReading(ReplyKind.Unreadable);
        }
    }

    /// <summary>
    /// The lines of an HTML-only reply: breaks and blocks become lines, a quoted block becomes a
    /// line starting with "&gt;" (where the reply's own words end), tags go, entities are decoded.
    /// </summary>
    private static string PlainText(string html)
    {
        var lines = BlockQuote().Replace(html, "\n> ");
        lines = LineBreak().Replace(lines, "\n");
        return System.Net.WebUtility.HtmlDecode(Tag().Replace(lines, ""));
    }

    [System.Text.RegularExpressions.GeneratedRegex("<blockquote[^>]*>", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex BlockQuote();

    [System.Text.RegularExpressions.GeneratedRegex("<br\\s*/?>|</(p|div|li|tr|h[1-6])>", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex LineBreak();

    [System.Text.RegularExpressions.GeneratedRegex("<[^>]*>")]
    private static partial System.Text.RegularExpressions.Regex Tag();

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>A reply as read from its message.</summary>
    private sealed record ReceivedReply(string MessageHash, string? Token, ReplyReading Reading, string? Sender, string? SenderDomain, bool Authenticated)
    {
        /// <summary>A message MimeKit cannot read: for a person, under an id of its own.</summary>
        public static ReceivedReply Unparseable => new(Guid.NewGuid().ToString("N"), null, new ReplyReading(ReplyKind.Unreadable), null, null, true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Read} replies: {Acted} answered a handover, {ForAPerson} wait for a person")]
    private static partial void LogRead(ILogger logger, int read, int acted, int forAPerson);
}

/// <summary>The last read of the reply mailbox, for readiness.</summary>
public sealed class ReplyMailboxStatus : MailboxStatus;
