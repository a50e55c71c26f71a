using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Answers by reply (section <c>Mail:Replies</c>; design: "Replies"): the proposed lead accepts or
/// declines the handover by replying to its pack or reminder. No <see cref="Address"/>: they are not
/// asked to, and replies go where every other reply goes (<c>Mail:ReplyTo</c>).
/// </summary>
public sealed class ReplyOptions : IValidatableObject
{
    /// <summary>Where the token goes in <see cref="Address"/>.</summary>
    public const string TokenPlaceholder = "{token}";

    /// <summary>
    /// The reply address, with <c>{token}</c> in its local part where the handover's token goes, e.g.
    /// <c>stepupdown-replies+{token}@council.gov.uk</c> (a plus-address of the mailbox <see cref="Imap"/> reads).
    /// </summary>
    public string? Address { get; set; }

    /// <summary>The key the tokens are made with: base64, at least 32 bytes. A secret: set it from a secret store or environment variable.</summary>
    public string? TokenKey { get; set; }

    /// <summary>
    /// The key before <see cref="TokenKey"/>, while it is being replaced: tokens it made (in messages
    /// already sent) are still genuine; new ones are made with <see cref="TokenKey"/>. Remove it once
    /// the handovers of those messages are closed.
    /// </summary>
    public string? PreviousTokenKey { get; set; }

    /// <summary>The mailbox replies arrive in, read over IMAP as the bounce mailbox is (the same mailbox with another folder will do).</summary>
    public ImapOptions Imap { get; init; } = new();

    /// <summary>True when the proposed lead is asked to answer by reply, and replies are read.</summary>
    public bool AreRead => !string.IsNullOrWhiteSpace(Address);

    /// <summary>The key's bytes.</summary>
    internal byte[] Key => Convert.FromBase64String(TokenKey ?? "");

    /// <summary>The keys a token may have been made with: the key, then the previous one if set.</summary>
    internal IEnumerable<byte[]> Keys => string.IsNullOrWhiteSpace(PreviousTokenKey) ? [Key] : [Key, Convert.FromBase64String(PreviousTokenKey)];

    /// <summary>The address for one token.</summary>
    internal string AddressFor(string token) => Address!.Replace(TokenPlaceholder, token, StringComparison.Ordinal);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!AreRead)
        {
            yield break;
        }

        var at = Address!.LastIndexOf('@');
        var token = Address.IndexOf(TokenPlaceholder, StringComparison.Ordinal);
        if (at <= 0 || token < 0 || token > at || !MailboxAddress.TryParse(AddressFor(new string('a', 53)), out _))
        {
            yield return new ValidationResult("must be an address with {token} in its local part, e.g. stepupdown-replies+{token}@council.gov.uk.", [nameof(Address)]);
        }

        if (!IsKey(TokenKey))
        {
            yield return new ValidationResult("must be a base64 key of at least 32 bytes (e.g. openssl rand -base64 32) when Mail:Replies:Address is set.", [nameof(TokenKey)]);
        }

        if (!string.IsNullOrWhiteSpace(PreviousTokenKey) && !IsKey(PreviousTokenKey))
        {
            yield return new ValidationResult("must be a base64 key of at least 32 bytes, or empty.", [nameof(PreviousTokenKey)]);
        }

        if (string.IsNullOrWhiteSpace(Imap.Host))
        {
            yield return new ValidationResult(
                "must be set when Mail:Replies:Address is: the proposed lead would be asked to reply to a mailbox nobody reads.", [$"{nameof(Imap)}:{nameof(ImapOptions.Host)}"]);
        }
    }

    private static bool IsKey(string? key)
    {
        var bytes = new byte[256];
        return !string.IsNullOrWhiteSpace(key) && Convert.TryFromBase64String(key, bytes, out var written) && written >= 32;
    }
}
