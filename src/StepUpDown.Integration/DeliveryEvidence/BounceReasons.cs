using System.Globalization;

namespace StepUpDown.Integration.DeliveryEvidence;

/// <summary>
/// What the MASSH reads of a bounce: the status code and what it usually means (RFC 3463), never
/// the report's own words, which quote addresses and names.
/// </summary>
public static class BounceReasons
{
    /// <summary>The reason a bounced notice's row keeps, and the MASSH's "could not notify" notice shows.</summary>
    public static string For(string? status, DateTimeOffset reportedAt) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"Bounced: the receiving mail system returned it after the relay accepted it (status {status ?? "not given"}: {Meaning(status)}), read {reportedAt:yyyy-MM-dd HH:mm} UTC. Check the address in the directory or the case record");

    /// <summary>The usual meaning of an enhanced status code.</summary>
    public static string Meaning(string? status) => status switch
    {
        "5.1.1" or "5.1.10" => "no such mailbox",
        "5.1.2" => "no such mail domain",
        "5.1.6" => "the mailbox has moved",
        "5.2.1" => "the mailbox is disabled",
        "5.2.2" => "the mailbox is full",
        "5.2.3" => "the message is too large for the mailbox",
        _ when status?.StartsWith("5.4.", StringComparison.Ordinal) == true => "the receiving mail system could not be reached",
        _ when status?.StartsWith("5.7.", StringComparison.Ordinal) == true => "refused by the receiving mail system's policy",
        _ when status?.StartsWith("4.", StringComparison.Ordinal) == true => "a temporary failure the receiving side gave up on",
        _ => "undeliverable",
    };
}
