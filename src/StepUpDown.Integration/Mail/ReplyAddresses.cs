using Microsoft.Extensions.Options;
using StepUpDown.Domain.Handovers;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// The reply address of a handover's messages to its proposed lead (<c>Mail:Replies:Address</c>
/// with the token of <see cref="Replies.Token"/>: the handover and a keyed MAC over it and the
/// recipient, no personal data), and the token read back from the address a reply was sent to.
/// </summary>
public sealed class ReplyAddresses(IOptions<MailOptions> mail)
{
    private ReplyOptions Options => mail.Value.Replies;

    /// <summary>True when the proposed lead is asked to answer by reply.</summary>
    public bool AreAskedFor => Options.AreRead;

    /// <summary>The reply address of <paramref name="handoverId"/>'s messages to <paramref name="recipient"/>; null when replies are not asked for.</summary>
    public string? For(Guid handoverId, string recipient) =>
        AreAskedFor ? Options.AddressFor(Replies.Token(handoverId, recipient, Options.Key)) : null;

    /// <summary>The token in the first of <paramref name="addresses"/> of the reply address's form; null when none is.</summary>
    public string? TokenIn(IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (!AreAskedFor)
        {
            return null;
        }

        var template = Options.Address!;
        var at = template.IndexOf(ReplyOptions.TokenPlaceholder, StringComparison.Ordinal);
        var (prefix, suffix) = (template[..at], template[(at + ReplyOptions.TokenPlaceholder.Length)..]);
        return addresses
            .Select(address => address.Trim())
            .Where(address => address.Length > prefix.Length + suffix.Length
                              && address.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                              && address.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            .Select(address => address[prefix.Length..^suffix.Length].ToLowerInvariant())
            .FirstOrDefault();
    }

    /// <summary>
    /// True when <paramref name="token"/> was made by this service for <paramref name="handoverId"/>
    /// and <paramref name="recipient"/>, with its key or, while it is being replaced, the previous one.
    /// </summary>
    public bool IsGenuine(string? token, Guid handoverId, string? recipient) =>
        AreAskedFor && recipient is not null && Options.Keys.Any(key => Replies.IsGenuine(token, handoverId, recipient, key));
}
