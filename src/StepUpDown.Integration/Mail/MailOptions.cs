using System.ComponentModel.DataAnnotations;
using MailKit.Security;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Integration.Mail;

/// <summary>How messages leave the worker (section <c>Mail</c>).</summary>
public sealed class MailOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Mail";

    /// <summary>Sender address, e.g. step-up-down@council.gov.uk.</summary>
    [Required]
    [EmailAddress]
    public string From { get; set; } = "";

    /// <summary>Sender display name.</summary>
    public string FromName { get; set; } = "Step Up / Step Down";

    /// <summary>Right-hand side of every Message-Id; defaults to the sender's domain.</summary>
    public string MessageIdDomain
    {
        get => string.IsNullOrWhiteSpace(_messageIdDomain) ? From[(From.IndexOf('@', StringComparison.Ordinal) + 1)..] : _messageIdDomain;
        set => _messageIdDomain = value;
    }

    private string? _messageIdDomain;

    /// <summary>Where a recipient's reply goes (the sender is a service mailbox nobody reads); empty: the MASSH's mailbox.</summary>
    [EmailAddress]
    public string? ReplyTo { get; set; }

    /// <summary>Tag put in front of every subject, e.g. <c>[secure]</c>, for gateways that encrypt on it.</summary>
    public string? SubjectTag { get; set; }

    /// <summary>With no <see cref="SmtpOptions.Host"/>, messages are written here as .eml files. Relative to the working directory.</summary>
    [Required]
    public string OutboxDirectory { get; set; } = ".data/outbox";

    /// <summary>
    /// Write messages to <see cref="OutboxDirectory"/> instead of sending them, when no SMTP host is
    /// set. Needed outside the Demo and Development environments: a production worker with no
    /// relay must not start (a misspelt host would otherwise leave every notice in a folder).
    /// </summary>
    public bool UseOutbox { get; set; }

    /// <summary>The SMTP relay; empty host means "write to the outbox folder".</summary>
    public SmtpOptions Smtp { get; init; } = new();

    /// <summary>
    /// The envelope sender (SMTP <c>MAIL FROM</c>) with <c>{id}</c> where the ledger row's id goes,
    /// e.g. <c>stepupdown-bounces+{id}@council.gov.uk</c>: a bounce comes back to an address that
    /// names its notice even through a relay that drops delivery status requests. Empty: <see cref="From"/>.
    /// </summary>
    public string? EnvelopeFrom { get; set; }

    /// <summary>The mailbox bounces come back to (<c>Mail:Bounces:Imap</c>); no host: none is read.</summary>
    public BounceOptions Bounces { get; init; } = new();

    /// <summary>Answers by reply (<c>Mail:Replies</c>): the proposed lead accepts or declines by replying; no address: not asked.</summary>
    public ReplyOptions Replies { get; init; } = new();

    /// <summary>True when messages go to an SMTP server rather than the outbox folder.</summary>
    public bool UsesSmtp => !string.IsNullOrWhiteSpace(Smtp.Host);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var failures = UsesSmtp ? SecurityFailures("Smtp", Smtp.Host, Smtp.Security, Smtp.AllowPlaintext) : [];
        if (!string.IsNullOrWhiteSpace(EnvelopeFrom) && !EnvelopeSender.IsValidTemplate(EnvelopeFrom))
        {
            failures = failures.Append(new ValidationResult(
                "must be an address with {id} in its local part, e.g. stepupdown-bounces+{id}@council.gov.uk.", [nameof(EnvelopeFrom)]));
        }

        if (Replies.AreRead && Bounces.IsRead && SameFolder(Replies.Imap, Bounces.Imap))
        {
            failures = failures.Append(new ValidationResult(
                "must differ from Mail:Bounces:Imap:Folder when both read the same mailbox: each reader files away what is not its own.", ["Replies:Imap:Folder"]));
        }

        return failures;
    }

    private static bool SameFolder(ImapOptions one, ImapOptions other) =>
        string.Equals(one.Host, other.Host, StringComparison.OrdinalIgnoreCase) && one.Port == other.Port
        && string.Equals(one.UserName, other.UserName, StringComparison.OrdinalIgnoreCase) && string.Equals(one.Folder, other.Folder, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A mail connection's <c>Security</c> (the relay's, the bounce mailbox's): TLS, or plain text
    /// only to this machine or with <c>AllowPlaintext</c>, never a mode that falls back silently.
    /// </summary>
    internal static IEnumerable<ValidationResult> SecurityFailures(string section, string? host, SecureSocketOptions security, bool allowPlaintext)
    {
        if (security is SecureSocketOptions.Auto or SecureSocketOptions.StartTlsWhenAvailable)
        {
            yield return new ValidationResult(
                $"{section}:Security must be StartTls or SslOnConnect (or None, for a test server only): Auto and StartTlsWhenAvailable fall back to plain text silently.",
                [$"{section}:Security"]);
        }

        if (security == SecureSocketOptions.None && !Loopback.IsLoopback(host) && !allowPlaintext)
        {
            yield return new ValidationResult(
                $"{section}:Security None carries children's data in clear: only to a server on this machine (localhost), or with {section}:AllowPlaintext=true on a private trial network.",
                [$"{section}:Security"]);
        }
    }
}
