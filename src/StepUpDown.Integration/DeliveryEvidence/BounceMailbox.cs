using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.DeliveryEvidence;

/// <summary>What one read of the bounce mailbox did.</summary>
/// <param name="Skipped">Another instance was reading it.</param>
/// <param name="Read">Messages read (and moved out of the folder).</param>
/// <param name="Bounced">Notices that became bounced.</param>
/// <param name="Delayed">Notices a delay was noted on.</param>
/// <param name="Unmatched">Messages that named no notice, or were no report (moved to <c>Unmatched</c>).</param>
public sealed record BounceReadResult(bool Skipped, int Read, int Bounced, int Delayed, int Unmatched);

/// <summary>
/// Reads the council's bounce mailbox (<c>Mail:Bounces:Imap</c>) over IMAP: each delivery report
/// is matched to its notice (<see cref="DeliveryReport"/>) and recorded in the ledger (a failure
/// makes the notice bounced and tells the MASSH; a delay is noted), then the message moves to
/// <c>Processed</c>, or to <c>Unmatched</c> when it names no notice or is no report (listed on
/// the dashboard's Notifications page). Auto-replies and reports of success change nothing.
/// One instance reads at a time. A message is moved only after what it says is committed, so a
/// read cut short reads it again, and recording it twice changes nothing.
/// </summary>
public sealed partial class BounceMailbox(
    IOptions<MailOptions> mail,
    NotificationLedger ledger,
    NotificationPlanner planner,
    INotificationDispatcher dispatcher,
    NpgsqlDataSource dataSource,
    BounceMailboxStatus status,
    TimeProvider time,
    ILogger<BounceMailbox> logger) : IWatchedMailbox
{
    /// <summary>Where a report goes once recorded.</summary>
    public const string ProcessedFolder = "Processed";

    /// <summary>Where a message that names no notice goes, for someone to look at.</summary>
    public const string UnmatchedFolder = "Unmatched";

    private ImapMailbox Mailbox => new(mail.Value.Bounces.Imap, ProcessedFolder, UnmatchedFolder);

    /// <summary>True when a bounce mailbox is configured.</summary>
    public bool IsRead => mail.Value.Bounces.IsRead;

    /// <summary>How long the watcher waits between reads at most.</summary>
    public TimeSpan PollInterval => mail.Value.Bounces.Imap.PollInterval;

    /// <inheritdoc cref="IWatchedMailbox.Status"/>
    MailboxStatus IWatchedMailbox.Status => status;

    async Task<bool> IWatchedMailbox.ReadAsync(CancellationToken cancellationToken) => !(await ReadAsync(cancellationToken)).Skipped;

    /// <summary>Reads every message in the folder; throws when the mailbox cannot be read (the job fails visibly, readiness says so).</summary>
    public async Task<BounceReadResult> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var readLock = await AdvisoryLock.TryAcquireAsync(connection, "bounce-mailbox", cancellationToken);
        if (readLock is null)
        {
            return new BounceReadResult(true, 0, 0, 0, 0);
        }

        return await status.RecordAsync(
            async () =>
            {
                var effects = new List<Effect>();
                var read = await Mailbox.ReadAsync(
                    async message =>
                    {
                        var effect = message is null ? await UnmatchedAsync(Unreadable, time.GetUtcNow()) : await RecordAsync(message);
                        effects.Add(effect);
                        return effect == Effect.Unmatched;
                    },
                    cancellationToken);
                var result = new BounceReadResult(false, read, effects.Count(e => e == Effect.Bounced), effects.Count(e => e == Effect.Delayed), effects.Count(e => e == Effect.Unmatched));
                if (result.Bounced > 0)
                {
                    // The MASSH's notices of the bounces go now, not at the dispatch's next safety-net turn.
                    dispatcher.ScheduleDispatch();
                }

                if (result.Read > 0)
                {
                    LogRead(logger, result.Read, result.Bounced, result.Delayed, result.Unmatched);
                }

                return result;
            },
            time,
            cancellationToken);
    }

    /// <inheritdoc cref="ImapMailbox.WaitForMailAsync"/>
    public Task WaitForMailAsync(TimeSpan atMost, CancellationToken cancellationToken) => Mailbox.WaitForMailAsync(atMost, cancellationToken);

    /// <summary>
    /// Deletes what the mailbox has filed past its period, by the date each message reached the
    /// mailbox: reports in <c>Processed</c> received before <paramref name="processedBefore"/> (the
    /// ledger rows they speak of are gone by then) and messages in <c>Unmatched</c> received before
    /// <paramref name="unmatchedBefore"/> (kept as long as quarantined records). An out-of-office
    /// reply quotes the notice it answers: it is kept no longer than the notice. Returns how many
    /// went; nothing when no mailbox is read.
    /// </summary>
    public Task<int> PurgeFiledAsync(DateTimeOffset processedBefore, DateTimeOffset unmatchedBefore, CancellationToken cancellationToken) =>
        IsRead ? Mailbox.PurgeFiledAsync(processedBefore, unmatchedBefore, cancellationToken) : Task.FromResult(0);

    /// <summary>A message that is not a message at all (MimeKit cannot read it): set aside for review, like any other no-report.</summary>
    private static readonly DeliveryReport Unreadable = new(ReportKind.NotAReport, null, []);

    /// <summary>Records what one message says; never throws on what it holds (the database's own failures do).</summary>
    private async Task<Effect> RecordAsync(MimeMessage message)
    {
        var report = ReadGuarded(message);
        var now = time.GetUtcNow();
        switch (report.Kind)
        {
            case ReportKind.Failed:
                return await FirstMatchAsync(report, id => ledger.BounceAsync(id, report.Status, now, BounceReasons.For(report.Status, now), planner.Undelivered)) switch
                {
                    null => await UnmatchedAsync(report, now),
                    ReportEffect.Recorded or ReportEffect.Kept => Effect.Bounced,
                    _ => Effect.None,
                };
            case ReportKind.Delayed:
                return await FirstMatchAsync(report, id => ledger.NoteDelayAsync(id, report.Status, now)) switch
                {
                    null => await UnmatchedAsync(report, now),
                    ReportEffect.Recorded => Effect.Delayed,
                    _ => Effect.None,
                };
            case ReportKind.Delivered:
            case ReportKind.AutoReply:
                return Effect.None;
            default:
                return await UnmatchedAsync(report, now);
        }
    }

    /// <summary>One odd message never stops the mailbox: whatever it holds that cannot be read makes it no report, for review.</summary>
    private static DeliveryReport ReadGuarded(MimeMessage message)
    {
        try
        {
            return DeliveryReport.Read(message);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return Unreadable;
        }
    }

    /// <summary>Records against the first of the report's notice ids that is in the ledger; null when none is.</summary>
    private static async Task<ReportEffect?> FirstMatchAsync(DeliveryReport report, Func<Guid, Task<ReportEffect>> record)
    {
        foreach (var id in report.NoticeIds)
        {
            if (await record(id) is not ReportEffect.NoSuchNotice and var effect)
            {
                return effect;
            }
        }

        return null;
    }

    /// <summary>Lists a message that named no notice: when, and what kind, never its contents.</summary>
    private async Task<Effect> UnmatchedAsync(DeliveryReport report, DateTimeOffset now)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO stepupdown.unmatched_reports (received_at, kind, status) VALUES (@now, @kind, @status)",
            new { now, kind = report.Kind.ToString(), status = report.Status });
        return Effect.Unmatched;
    }

    private enum Effect
    {
        None,
        Bounced,
        Delayed,
        Unmatched,
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Read} messages from the bounce mailbox: {Bounced} notices bounced, {Delayed} delayed, {Unmatched} matched no notice")]
    private static partial void LogRead(ILogger logger, int read, int bounced, int delayed, int unmatched);
}

/// <summary>The last read of the bounce mailbox, for readiness.</summary>
public sealed class BounceMailboxStatus : MailboxStatus;
