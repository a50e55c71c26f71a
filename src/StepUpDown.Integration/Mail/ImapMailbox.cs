using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// One folder of a council mailbox read over IMAP (the bounce mailbox, the reply mailbox): each
/// message is read, recorded by the caller, then filed to <paramref name="processedFolder"/> or, when
/// it is for a person, to <paramref name="unmatchedFolder"/>. A message is moved only after what it
/// says is committed, so a read cut short reads it again (recording it twice must change nothing).
/// </summary>
/// <param name="imap">The mailbox.</param>
/// <param name="processedFolder">Where a message goes once recorded.</param>
/// <param name="unmatchedFolder">Where a message a person must read goes.</param>
public sealed class ImapMailbox(ImapOptions imap, string processedFolder, string unmatchedFolder)
{
    private const int MovesPerBatch = 100;
    private static readonly TimeSpan LongestIdle = TimeSpan.FromMinutes(25);

    /// <summary>
    /// Reads every message in the folder: <paramref name="record"/> gets each (null when MimeKit
    /// cannot read it) and returns true to file it for a person. Returns how many were read.
    /// </summary>
    public async Task<int> ReadAsync(Func<MimeMessage?, Task<bool>> record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var client = await ConnectAsync(cancellationToken);
        var folder = await client.GetFolderAsync(imap.Folder, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        var processed = await SubfolderAsync(client, processedFolder, cancellationToken);
        var unmatched = await SubfolderAsync(client, unmatchedFolder, cancellationToken);
        var read = 0;
        foreach (var batch in (await folder.SearchAsync(SearchQuery.All, cancellationToken)).Chunk(MovesPerBatch))
        {
            var (toProcessed, toUnmatched) = (new List<UniqueId>(), new List<UniqueId>());
            foreach (var uid in batch)
            {
                var forAPerson = await record(await LoadAsync(folder, uid, cancellationToken));
                (forAPerson ? toUnmatched : toProcessed).Add(uid);
                read++;
            }

            await MoveAsync(folder, toProcessed, processed, cancellationToken);
            await MoveAsync(folder, toUnmatched, unmatched, cancellationToken);
        }

        await client.DisconnectAsync(quit: true, cancellationToken);
        return read;
    }

    /// <summary>
    /// Returns as soon as the folder holds a message, or after <paramref name="atMost"/>: with IMAP
    /// IDLE where the server offers it (a message is read within a second or two of landing),
    /// else by waiting. Throws when the mailbox cannot be reached.
    /// </summary>
    public async Task WaitForMailAsync(TimeSpan atMost, CancellationToken cancellationToken)
    {
        using var client = await ConnectAsync(cancellationToken);
        var folder = await client.GetFolderAsync(imap.Folder, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        // A message that arrived since the last read needs no wait at all.
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
    /// Deletes what was filed before its period ended, by the date each message reached the
    /// mailbox: the processed folder's before <paramref name="processedBefore"/>, the unmatched
    /// folder's before <paramref name="unmatchedBefore"/>. Returns how many went.
    /// </summary>
    public async Task<int> PurgeFiledAsync(DateTimeOffset processedBefore, DateTimeOffset unmatchedBefore, CancellationToken cancellationToken)
    {
        using var client = await ConnectAsync(cancellationToken);
        var removed = 0;
        foreach (var (name, before) in new[] { (processedFolder, processedBefore), (unmatchedFolder, unmatchedBefore) })
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

    private async Task<ImapClient> ConnectAsync(CancellationToken cancellationToken)
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

    private static async Task<IMailFolder> SubfolderAsync(ImapClient client, string name, CancellationToken cancellationToken)
    {
        var root = client.GetFolder(client.PersonalNamespaces[0]);
        var existing = (await root.GetSubfoldersAsync(false, cancellationToken)).FirstOrDefault(f => f.Name == name);
        return existing ?? await root.CreateAsync(name, true, cancellationToken)
            ?? throw new InvalidOperationException($"The mailbox has no folder {name}, and it could not be made.");
    }

    private static async Task MoveAsync(IMailFolder from, List<UniqueId> uids, IMailFolder to, CancellationToken cancellationToken)
    {
        if (uids.Count > 0)
        {
            await from.MoveToAsync(uids, to, cancellationToken);
        }
    }
}
