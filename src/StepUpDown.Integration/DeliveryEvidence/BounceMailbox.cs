using Dapper;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
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
    NpgsqlDataSource dataSource,
    BounceMailboxStatus status,
    TimeProvider time,
    ILogger<BounceMailbox> logger)
{
    /// <summary>Where a report goes once recorded.</summary>
    public const string ProcessedFolder = "Processed";

    /// <summary>Where a message that names no notice goes, for someone to look at.</summary>
    public const string UnmatchedFolder = "Unmatched";

    private const int MovesPerBatch = 100;
    private static readonly TimeSpan LongestIdle = TimeSpan.FromMinutes(25);

    /// <summary>Reads every message in the folder; throws when the mailbox cannot be read (the job fails visibly, readiness says so).</summary>
    public async Task<BounceReadResult> ReadAsync(CancellationToken cancellationToken)
    {
        var imap = mail.Value.Bounces.Imap;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var readLock = await AdvisoryLock.TryAcquireAsync(connection, "bounce-mailbox", cancellationToken);
        if (readLock is null)
        {
            return new BounceReadResult(true, 0, 0, 0, 0);
        }

        try
        {
            var result = await ReadFolderAsync(imap, cancellationToken);
            status.Succeeded(time.GetUtcNow());
            if (result.Read > 0)
            {
                LogRead(logger, result.Read, result.Bounced, result.Delayed, result.Unmatched);
            }

            return result;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            status.Failed(time.GetUtcNow(), exception.GetType().Name);
            throw;
        }
    }

    /// <summary>
    /// Returns as soon as the folder holds a message, or after <paramref name="atMost"/>: with IMAP
    /// IDLE where the server offers it (a report is read within a second or two of landing),
    /// else by waiting. Throws when the mailbox cannot be reached.
    /// </summary>
    public async Task WaitForMailAsync(TimeSpan atMost, CancellationToken cancellationToken)
    {
        var imap = mail.Value.Bounces.Imap;
        using var client = await ConnectAsync(imap, cancellationToken);
        var folder = await client.GetFolderAsync(imap.Folder, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        // A report that arrived since the last read needs no wait at all.
        if (folder.Count == 0 && client.Capabilities.HasFlag(ImapCapabilities.Idle))
        {
            // Servers end an IDLE after 30 minutes (RFC 2177): a longer interval idles in turns.
            using var done = new CancellationTokenSource(atMost < LongestIdle ? atMost : LongestIdle);
            folder.CountChanged += (_, _) => done.Cancel();
            await client.IdleAsync(done.Token, cancellationToken);
        }
        else if (folder.Count == 0)
        {
            await Task.Delay(atMost, cancellationToken);
        }

        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    /// <summary>
    /// Deletes what the mailbox has filed past its period, by the date each message reached the
    /// mailbox: reports in <c>Processed</c> received before <paramref name="processedBefore"/> (the
    /// ledger rows they speak of are gone by then) and messages in <c>Unmatched</c> received before
    /// <paramref name="unmatchedBefore"/> (kept as long as quarantined records). An out-of-office
    /// reply quotes the notice it answers: it is kept no longer than the notice. Returns how many
    /// went; nothing when no mailbox is read.
    /// </summary>
    public async Task<int> PurgeFiledAsync(DateTimeOffset processedBefore, DateTimeOffset unmatchedBefore, CancellationToken cancellationToken)
    {
        var imap = mail.Value.Bounces.Imap;
        if (!mail.Value.Bounces.IsRead)
        {
            return 0;
        }

        using var client = await ConnectAsync(imap, cancellationToken);
        var removed = 0;
        foreach (var (name, before) in new[] { (ProcessedFolder, processedBefore), (UnmatchedFolder, unmatchedBefore) })
        {
            var folder = await SubfolderAsync(client, name, cancellationToken);
            await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
            var old = await folder.SearchAsync(SearchQuery.DeliveredBefore(before.UtcDateTime.Date), cancellationToken);
            if (old.Count > 0)
            {
                await folder.AddFlagsAsync(old, MessageFlags.Deleted, true, cancellationToken);
                await folder.ExpungeAsync(old, cancellationToken);
                removed += old.Count;
            }

            await folder.CloseAsync(false, cancellationToken);
        }

        await client.DisconnectAsync(quit: true, cancellationToken);
        return removed;
    }

    private static async Task<ImapClient> ConnectAsync(ImapOptions imap, CancellationToken cancellationToken)
    {
        var client = new ImapClient { Timeout = 30_000 };
        try
        {
            await client.ConnectAsync(imap.Host!, imap.Port, imap.Security, cancellationToken);
            await client.AuthenticateAsync(imap.UserName ?? "", imap.Password ?? "", cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private async Task<BounceReadResult> ReadFolderAsync(ImapOptions imap, CancellationToken cancellationToken)
    {
        using var client = await ConnectAsync(imap, cancellationToken);
        var folder = await client.GetFolderAsync(imap.Folder, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        var processed = await SubfolderAsync(client, ProcessedFolder, cancellationToken);
        var unmatched = await SubfolderAsync(client, UnmatchedFolder, cancellationToken);
        var (read, bounced, delayed, unmatchedCount) = (0, 0, 0, 0);
        foreach (var batch in (await folder.SearchAsync(SearchQuery.All, cancellationToken)).Chunk(MovesPerBatch))
        {
            var (toProcessed, toUnmatched) = (new List<UniqueId>(), new List<UniqueId>());
            foreach (var uid in batch)
            {
                var effect = await LoadAsync(folder, uid, cancellationToken) is { } message ? await RecordAsync(message) : await UnmatchedAsync(Unreadable, time.GetUtcNow());
                (effect == Effect.Unmatched ? toUnmatched : toProcessed).Add(uid);
                read++;
                bounced += effect == Effect.Bounced ? 1 : 0;
                delayed += effect == Effect.Delayed ? 1 : 0;
                unmatchedCount += effect == Effect.Unmatched ? 1 : 0;
            }

            await MoveAsync(folder, toProcessed, processed, cancellationToken);
            await MoveAsync(folder, toUnmatched, unmatched, cancellationToken);
        }

        await client.DisconnectAsync(quit: true, cancellationToken);
        return new BounceReadResult(false, read, bounced, delayed, unmatchedCount);
    }

    /// <summary>A message that is not a message at all (MimeKit cannot read it): set aside for review, like any other no-report.</summary>
    private static readonly DeliveryReport Unreadable = new(ReportKind.NotAReport, null, []);

    private static async Task<MimeMessage?> LoadAsync(IMailFolder folder, UniqueId uid, CancellationToken cancellationToken)
    {
        try
        {
            return await folder.GetMessageAsync(uid, cancellationToken);
        }
        catch (FormatException)
        {
            return null;
        }
    }

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
                    ReportEffect.Recorded => Effect.Bounced,
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

    private static async Task<IMailFolder> SubfolderAsync(ImapClient client, string name, CancellationToken cancellationToken)
    {
        var root = client.GetFolder(client.PersonalNamespaces[0]);
        var existing = (await root.GetSubfoldersAsync(false, cancellationToken)).FirstOrDefault(f => f.Name == name);
        return existing ?? await root.CreateAsync(name, true, cancellationToken)
            ?? throw new InvalidOperationException($"The bounce mailbox has no folder {name}, and it could not be made.");
    }

    private static async Task MoveAsync(IMailFolder from, List<UniqueId> uids, IMailFolder to, CancellationToken cancellationToken)
    {
        if (uids.Count > 0)
        {
            await from.MoveToAsync(uids, to, cancellationToken);
        }
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
public sealed class BounceMailboxStatus
{
    private readonly Lock _gate = new();
    private (DateTimeOffset At, string? Error)? _last;
    private long _turnsWaited;

    /// <summary>How many times this instance found a peer reading the mailbox and waited its turn.</summary>
    public long TurnsWaited => Interlocked.Read(ref _turnsWaited);

    internal void WaitedTurn() => Interlocked.Increment(ref _turnsWaited);

    /// <summary>When the mailbox was last read, and the exception's type if that read failed; null before the first read.</summary>
    public (DateTimeOffset At, string? Error)? Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    internal void Succeeded(DateTimeOffset at)
    {
        lock (_gate)
        {
            _last = (at, null);
        }
    }

    internal void Failed(DateTimeOffset at, string error)
    {
        lock (_gate)
        {
            _last = (at, error);
        }
    }
}
