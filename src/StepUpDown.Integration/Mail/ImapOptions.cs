using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace StepUpDown.Integration.Mail;

/// <summary>The council's bounce mailbox (<c>Mail:Bounces:Imap</c>).</summary>
public sealed class ImapOptions : IValidatableObject
{
    /// <summary>Host name; empty: no bounce mailbox.</summary>
    public string? Host { get; set; }

    /// <summary>Port.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 993;

    /// <summary>SslOnConnect (default) or StartTls; None only for a server on this machine.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.SslOnConnect;

    /// <summary>User name.</summary>
    public string? UserName { get; set; }

    /// <summary>Password. Set it from a secret store or environment variable.</summary>
    public string? Password { get; set; }

    /// <summary>Accept <see cref="Security"/> None to a server on another machine (a private trial network only).</summary>
    public bool AllowPlaintext { get; set; }

    /// <summary>The folder reports arrive in; read reports move to <c>Processed</c>, reports of no notice to <c>Unmatched</c>.</summary>
    [Required]
    public string Folder { get; set; } = "INBOX";

    /// <summary>How often the mailbox is read.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        string.IsNullOrWhiteSpace(Host) ? [] : MailOptions.SecurityFailures("Imap", Host, Security, AllowPlaintext);
}
