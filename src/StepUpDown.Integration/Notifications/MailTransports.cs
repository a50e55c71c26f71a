using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace StepUpDown.Integration.Notifications;

/// <summary>Hands a finished message to whatever carries it.</summary>
public interface IMailTransport
{
    /// <summary>Sends the message; throws when it was not accepted.</summary>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>Sends through the configured SMTP relay over TLS (StartTls or SSL on connect).</summary>
public sealed class SmtpMailTransport(IOptions<MailOptions> options) : IMailTransport
{
    /// <inheritdoc />
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.Security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}

/// <summary>With no SMTP relay configured: writes each message as an .eml file named by its notification id.</summary>
public sealed partial class OutboxMailTransport(IOptions<MailOptions> options, ILogger<OutboxMailTransport> logger) : IMailTransport
{
    /// <inheritdoc />
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var folder = Path.GetFullPath(options.Value.OutboxDirectory);
        Directory.CreateDirectory(folder);
        var name = (message.MessageId ?? Guid.NewGuid().ToString("N")).Split('@')[0];
        var path = Path.Combine(folder, $"{name}.eml");
        await message.WriteToAsync(path, cancellationToken);
        LogWritten(logger, path);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No Mail:Smtp:Host set: wrote the message to {Path}")]
    private static partial void LogWritten(ILogger logger, string path);
}
