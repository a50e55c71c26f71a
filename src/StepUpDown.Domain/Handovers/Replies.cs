using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StepUpDown.Domain.Handovers;

/// <summary>What a reply to a handover pack or reminder says (design: "Replies").</summary>
public enum ReplyKind
{
    /// <summary>The proposed lead takes on the lead role.</summary>
    Accept,

    /// <summary>The proposed lead declines: a recorded disagreement, straight to stage 2.</summary>
    Decline,

    /// <summary>Neither, or both: listed for a person, never acted on.</summary>
    Unreadable,

    /// <summary>An automatic reply (out of office, <c>Auto-Submitted</c>): ignored.</summary>
    Automatic,
}

/// <summary>A reply read: its kind and, for a decline, the partner's reason (plain text, at most <see cref="Replies.MaxReasonLength"/> characters).</summary>
public sealed record ReplyReading(ReplyKind Kind, string? Reason = null);

/// <summary>
/// How a reply to a handover pack is read, and the token its reply address carries. The reply's
/// first lines above any quoted text count; common English phrasings, whatever their case and
/// punctuation. Pure: no mailbox, no clock.
/// </summary>
public static class Replies
{
    /// <summary>The longest reason quoted to the managers; longer is cut at a word.</summary>
    public const int MaxReasonLength = 500;

    private static readonly string[] AcceptPhrases =
    [
        "accept", "accepted", "i accept", "yes i accept", "yes accept", "yes", "i accept the lead role", "i accept the role",
        "happy to accept", "i am happy to accept", "im happy to accept", "i am happy to take the lead", "im happy to take the lead",
        "i will take the lead", "ill take the lead", "i agree", "agreed", "i will take on the lead role", "i can take the lead",
    ];

    private static readonly string[] DeclinePhrases =
    [
        "decline", "declined", "i decline", "no", "no i decline", "i cannot accept", "i cant accept", "i can not accept",
        "unable to accept", "i am unable to accept", "im unable to accept", "i am not able to accept", "im not able to accept",
        "i do not accept", "i dont accept", "not accepted", "i cannot take the lead", "i cant take the lead", "i am not the right person",
        "im not the right person", "i refuse",
    ];

    /// <summary>Words of courtesy a reply may begin with, read past ("No problem, I accept" is an acceptance).</summary>
    private static readonly string[] Courtesies = ["no problem", "no worries", "many thanks", "thank you", "thanks", "hi", "hello", "ok", "okay", "sure", "of course", "but", "sorry"];

    private static readonly string[] AutomaticSubjects = ["out of office", "automatic reply", "auto reply", "autoreply", "away from the office", "on leave"];

    /// <summary>
    /// Reads a reply: <paramref name="autoSubmitted"/> is its <c>Auto-Submitted</c> header (any
    /// value but <c>no</c> marks a machine's reply); <paramref name="subject"/> catches out-of-office
    /// replies that do not say so; <paramref name="body"/> is its plain text.
    /// </summary>
    public static ReplyReading Read(string? body, string? subject = null, string? autoSubmitted = null)
    {
        if (autoSubmitted is { Length: > 0 } header && !string.Equals(header.Trim(), "no", StringComparison.OrdinalIgnoreCase))
        {
            return new ReplyReading(ReplyKind.Automatic);
        }

        var plainSubject = Plain(subject ?? "");
        if (AutomaticSubjects.Any(phrase => plainSubject.StartsWith(phrase, StringComparison.Ordinal)))
        {
            return new ReplyReading(ReplyKind.Automatic);
        }

        var lines = Above(body ?? "").SkipWhile(IsGreeting).ToList();
        if (lines.Count == 0)
        {
            return new ReplyReading(ReplyKind.Unreadable);
        }

        var first = WithoutCourtesy(Plain(lines[0]));
        var accepts = Leads(first, AcceptPhrases);
        var declines = Leads(first, DeclinePhrases);
        if (accepts is not null == declines is not null)
        {
            return new ReplyReading(ReplyKind.Unreadable);
        }

        if (accepts is not null)
        {
            return new ReplyReading(ReplyKind.Accept);
        }

        // The reason: what follows the word on its line, then the lines after it.
        var words = Plain(lines[0]).Split(' ').Length - first.Split(' ').Length + declines!.Split(' ').Length;
        var rest = string.Join(' ', new[] { AfterWords(lines[0], words) }.Concat(lines.Skip(1)).Where(l => l.Length > 0));
        return new ReplyReading(ReplyKind.Decline, Reason(rest));
    }

    /// <summary>
    /// The token of a reply address for <paramref name="handoverId"/> sent to <paramref name="recipient"/>:
    /// the handover's id and a keyed MAC over it and the recipient's address (no personal data; a
    /// token cannot be made for another handover or another recipient without the key).
    /// </summary>
    public static string Token(Guid handoverId, string recipient, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return $"{handoverId:N}-{Mac(handoverId, recipient, key)}";
    }

    /// <summary>The handover a token names, or null when it is not a token of this form.</summary>
    public static Guid? HandoverOf(string? token) =>
        token is { Length: 53 } && token[32] == '-' && Guid.TryParseExact(token[..32], "N", out var id) ? id : null;

    /// <summary>True when <paramref name="token"/> was made with <paramref name="key"/> for this handover and recipient.</summary>
    public static bool IsGenuine(string? token, Guid handoverId, string recipient, byte[] key) =>
        token is { Length: 53 } && HandoverOf(token) == handoverId
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token[33..]), Encoding.ASCII.GetBytes(Mac(handoverId, recipient, key)));

    private static string Mac(Guid handoverId, string recipient, byte[] key)
    {
        var message = Encoding.UTF8.GetBytes($"{handoverId:N}\n{recipient.Trim().ToLowerInvariant()}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, message))[..20];
    }

    /// <summary>The reply's own lines, above the first line of quoted text, blank ones dropped.</summary>
    private static List<string> Above(string body)
    {
        var lines = new List<string>();
        foreach (var raw in body.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (IsQuoteStart(line))
            {
                break;
            }

            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    private static bool IsQuoteStart(string line) =>
        line.StartsWith('>')
        || (line.StartsWith("On ", StringComparison.Ordinal) && line.EndsWith("wrote:", StringComparison.Ordinal))
        || line.StartsWith("-----Original Message", StringComparison.OrdinalIgnoreCase)
        || line.StartsWith("________________", StringComparison.Ordinal)
        || line.StartsWith("From: ", StringComparison.Ordinal)
        || line.StartsWith("Sent from ", StringComparison.Ordinal);

    /// <summary>A line that only greets ("Hi Sam," "Dear Pat,"): the answer is on the next.</summary>
    private static bool IsGreeting(string line)
    {
        var plain = Plain(line);
        var words = plain.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length is > 0 and <= 4 && words[0] is "hi" or "hello" or "dear" or "morning" or "afternoon" && line.TrimEnd().EndsWith(',')
               || plain is "hi" or "hello";
    }

    private static string WithoutCourtesy(string plainLine)
    {
        var stripped = true;
        while (stripped)
        {
            stripped = false;
            foreach (var courtesy in Courtesies)
            {
                if (plainLine.StartsWith(courtesy + " ", StringComparison.Ordinal))
                {
                    plainLine = plainLine[(courtesy.Length + 1)..];
                    stripped = true;
                }
            }
        }

        return plainLine;
    }

    /// <summary>The phrase the line begins with (a whole phrase, then a word break), longest first.</summary>
    private static string? Leads(string plainLine, string[] phrases) =>
        phrases.OrderByDescending(p => p.Length)
            .FirstOrDefault(p => plainLine == p || plainLine.StartsWith(p + " ", StringComparison.Ordinal));

    /// <summary>Lower case, letters, digits and single spaces only ("Yes, I accept!" reads "yes i accept").</summary>
    private static string Plain(string text)
    {
        var plain = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
            {
                plain.Append(char.ToLowerInvariant(c));
            }
            else if (c is '\'' or '\u2019')
            {
                // "can't" reads "cant"
            }
            else if (plain.Length > 0 && plain[^1] != ' ')
            {
                plain.Append(' ');
            }
        }

        return plain.ToString().Trim();
    }

    /// <summary>The original line after its first <paramref name="words"/> words, without the punctuation that follows them.</summary>
    private static string AfterWords(string line, int words)
    {
        var seen = 0;
        var i = 0;
        while (i < line.Length && seen < words)
        {
            while (i < line.Length && !char.IsLetterOrDigit(line[i]))
            {
                i++;
            }

            while (i < line.Length && (char.IsLetterOrDigit(line[i]) || line[i] is '\'' or '\u2019'))
            {
                i++;
            }

            seen++;
        }

        return line[i..].TrimStart(' ', ',', '.', ':', ';', '-', '\u2013', '\u2014', '!').Trim();
    }

    private static string? Reason(string text)
    {
        // Plain text on one line: control characters (tabs, bells, line breaks) read as spaces, runs of them as one.
        var plain = string.Join(' ', string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c)).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (plain.Length == 0)
        {
            return null;
        }

        if (plain.Length <= MaxReasonLength)
        {
            return plain;
        }

        var cut = plain.LastIndexOf(' ', MaxReasonLength - 1);
        return string.Create(CultureInfo.InvariantCulture, $"{plain[..(cut > 0 ? cut : MaxReasonLength - 1)]}\u2026");
    }
}
