using System.Text.RegularExpressions;
using MimeKit;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// The envelope sender that names its notice (<c>Mail:EnvelopeFrom</c>, e.g.
/// <c>stepupdown-bounces+{id}@council.gov.uk</c>), and the notice id read back from an address
/// a bounce was sent to.
/// </summary>
public static partial class EnvelopeSender
{
    private const string IdPlaceholder = "{id}";

    /// <summary>True when <paramref name="template"/> is an address with <c>{id}</c> in its local part.</summary>
    public static bool IsValidTemplate(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var at = template.LastIndexOf('@');
        return at > 0 && template.IndexOf(IdPlaceholder, StringComparison.Ordinal) is >= 0 and var id && id < at
               && MailboxAddress.TryParse(For(template, Guid.Empty), out _);
    }

    /// <summary>The envelope sender of notice <paramref name="notificationId"/>.</summary>
    public static string For(string template, Guid notificationId)
    {
        ArgumentNullException.ThrowIfNull(template);
        return template.Replace(IdPlaceholder, notificationId.ToString("N"), StringComparison.Ordinal);
    }

    /// <summary>The notice id in an address's local part, or in a Message-Id's (<c>{id}@domain</c>), if it holds one.</summary>
    public static Guid? IdIn(string? address)
    {
        var at = address?.LastIndexOf('@') ?? -1;
        var id = at < 0 ? null : NoticeId().Match(address![..at]);
        return id is { Success: true } ? Guid.ParseExact(id.Value, "N") : null;
    }

    /// <summary>The notice an <c>Original-Envelope-Id</c> names (the <c>ENVID</c> sent: the row's id, 32 hex digits).</summary>
    public static Guid? IdOfEnvelope(string? envelopeId) =>
        Guid.TryParseExact(envelopeId?.Trim(), "N", out var id) ? id : null;

    /// <summary>A ledger row's id as <see cref="For"/> and the planner's Message-Ids write it: 32 hex digits on their own.</summary>
    [GeneratedRegex("(?<![0-9a-fA-F])[0-9a-fA-F]{32}(?![0-9a-fA-F])")]
    private static partial Regex NoticeId();
}
