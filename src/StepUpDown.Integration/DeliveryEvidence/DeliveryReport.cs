using System.Text.RegularExpressions;
using MimeKit;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.DeliveryEvidence;

/// <summary>What a message in the bounce mailbox says.</summary>
public enum ReportKind
{
    /// <summary>At least one recipient could not be delivered to (<c>Action: failed</c>).</summary>
    Failed,

    /// <summary>Delivery is delayed and still being tried (<c>Action: delayed</c>): noted, not final.</summary>
    Delayed,

    /// <summary>A report of success (<c>delivered</c>, <c>relayed</c>, <c>expanded</c>): nothing to do.</summary>
    Delivered,

    /// <summary>An automatic reply (out of office, <c>Auto-Submitted: auto-replied</c>): not a bounce.</summary>
    AutoReply,

    /// <summary>Not a delivery status notification the worker can read (no <c>message/delivery-status</c>, or a broken one).</summary>
    NotAReport,
}

/// <summary>
/// A delivery status notification (RFC 3464) as the worker keeps it: what happened, the status
/// code (e.g. <c>5.1.1</c>, and only a code), and the notice ids it may be about, best first: the
/// <c>Original-Envelope-Id</c> (the <c>ENVID</c> every message asks for), the envelope address the
/// report came back to (<c>Mail:EnvelopeFrom</c>), the returned headers' <c>Message-Id</c>.
/// Nothing else of a report is kept: its text quotes addresses and names.
/// </summary>
public sealed partial record DeliveryReport(ReportKind Kind, string? Status, IReadOnlyList<Guid> NoticeIds)
{
    private static readonly string[] EnvelopeHeaders = ["Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"];

    /// <summary>Reads one message of the bounce mailbox; never throws on what the message holds.</summary>
    public static DeliveryReport Read(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var status = message.BodyParts.OfType<MessageDeliveryStatus>().FirstOrDefault();
        if (status is null)
        {
            return new DeliveryReport(IsAutoReply(message) ? ReportKind.AutoReply : ReportKind.NotAReport, null, []);
        }

        HeaderListCollection groups;
        try
        {
            groups = status.StatusGroups;
        }
        catch (FormatException)
        {
            return new DeliveryReport(ReportKind.NotAReport, null, []);
        }

        var recipients = groups.Skip(1).ToList();
        var failed = recipients.FirstOrDefault(r => ActionIs(r, "failed"));
        var delayed = recipients.FirstOrDefault(r => ActionIs(r, "delayed"));
        var (kind, group) = failed is not null ? (ReportKind.Failed, failed)
            : delayed is not null ? (ReportKind.Delayed, delayed)
            : recipients.Count > 0 ? (ReportKind.Delivered, recipients[0])
            : (ReportKind.NotAReport, null);
        var ids = new List<Guid?> { groups.Count > 0 ? EnvelopeSender.IdOfEnvelope(groups[0]["Original-Envelope-Id"]) : null };
        ids.AddRange(EnvelopeHeaders.SelectMany(name => message.Headers.Where(h => h.Field.Equals(name, StringComparison.OrdinalIgnoreCase)))
            .SelectMany(h => InternetAddressList.TryParse(h.Value, out var list) ? list.Mailboxes.Select(m => m.Address) : [])
            .Select(EnvelopeSender.IdIn));
        // The returned message or its headers (text/rfc822-headers is a MessagePart too).
        ids.AddRange(message.BodyParts.OfType<MessagePart>().Select(part => EnvelopeSender.IdIn(part.Message?.MessageId)));
        return new DeliveryReport(kind, CodeOf(group), ids.OfType<Guid>().Distinct().ToList());
    }

    private static bool ActionIs(HeaderList group, string action) =>
        group["Action"]?.Trim().StartsWith(action, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The status code alone (<c>5.1.1</c>), or none when the field holds anything else.</summary>
    private static string? CodeOf(HeaderList? group)
    {
        var match = group?["Status"] is { } status ? StatusCode().Match(status) : null;
        return match is { Success: true } ? match.Groups["code"].Value : null;
    }

    private static bool IsAutoReply(MimeMessage message)
    {
        var submitted = message.Headers[HeaderId.AutoSubmitted];
        return (submitted is not null && !submitted.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
               || message.Headers.Contains("X-Autoreply") || message.Headers.Contains("X-Autorespond")
               || string.Equals(message.Headers["Precedence"]?.Trim(), "auto_reply", StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^\s*(?<code>[245]\.\d{1,3}\.\d{1,3})(?![\d.])")]
    private static partial Regex StatusCode();
}
