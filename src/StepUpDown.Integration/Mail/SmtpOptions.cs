using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace StepUpDown.Integration.Mail;

/// <summary>The SMTP relay.</summary>
public sealed class SmtpOptions
{
    /// <summary>Host name; empty: no SMTP, use the outbox folder.</summary>
    public string? Host { get; set; }

    /// <summary>Port.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>StartTls (default) or SslOnConnect; None only for a local test server.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;

    /// <summary>User name, when the relay needs one.</summary>
    public string? UserName { get; set; }

    /// <summary>Password, when the relay needs one. Set it from a secret store or environment variable.</summary>
    public string? Password { get; set; }

    /// <summary>Accept <see cref="Security"/> None to a relay on another machine (a private trial network only).</summary>
    public bool AllowPlaintext { get; set; }

    /// <summary>Open connections kept to the relay and shared by delivery jobs.</summary>
    [Range(1, 50)]
    public int MaxConnections { get; set; } = 4;

    /// <summary>Timeout of one SMTP operation.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
