using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// With no SMTP relay configured (Development, or <c>Mail:UseOutbox</c>): writes each message as an
/// .eml file named by its notification id. Nobody receives it, so its ledger row is <c>written</c>, not sent.
/// </summary>
public sealed partial class OutboxMailTransport(IOptions<MailOptions> options, ILogger<OutboxMailTransport> logger) : IMailTransport
{
    /// <inheritdoc />
    public bool ReachesRecipients => false;

    /// <inheritdoc />
    public async Task SendAsync(MimeMessage message, Func<CancellationToken, Task<bool>>? stillOwned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (stillOwned is not null && !await stillOwned(cancellationToken))
        {
            throw new SendAbandonedException();
        }

        var folder = Path.GetFullPath(options.Value.OutboxDirectory);
        CreatePrivateFolder(folder);
        var name = (message.MessageId ?? Guid.NewGuid().ToString("N")).Split('@')[0];
        var path = Path.Combine(folder, $"{name}.eml");

        await WritePrivateFileAsync(path, file => message.WriteToAsync(file, cancellationToken), cancellationToken);
        LogWritten(logger, path);
    }

    /// <summary>
    /// Writes a message file aside, then renames it: whoever watches the folder never sees half a
    /// message. Only the worker's own user may read it (0600): it is a child's notice.
    /// </summary>
    public static async Task WritePrivateFileAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var partial = $"{path}.partial";
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(partial, create))
        {
            await write(file);
            await file.FlushAsync(cancellationToken);
        }

        File.Move(partial, path, overwrite: true);
    }

    /// <summary>The outbox folder, readable by the worker's user only.</summary>
    public static void CreatePrivateFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No Mail:Smtp:Host set: wrote the message to {Path}")]
    private static partial void LogWritten(ILogger logger, string path);
}
