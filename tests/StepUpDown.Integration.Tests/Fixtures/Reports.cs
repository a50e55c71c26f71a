using MimeKit;

namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>
/// Delivery reports in the shapes real mail systems send them (RFC 3464 multipart/report):
/// Postfix's bounce, Exchange Online's (and NHSmail's) non-delivery report, Gmail's, and what is
/// not a bounce: an out-of-office reply, a broken report. Each quotes the addresses and names a
/// real one would, so a test can check none of it is kept.
/// </summary>
public static class Reports
{
    public const string QuotedName = "Jane Practice-Manager";
    public const string QuotedAddress = "old.practice@nhs.net";

    /// <summary>Postfix: the envelope id asked for, <c>Auto-Submitted</c> on the bounce itself, the returned headers.</summary>
    public static string Postfix(Guid notificationId, string action = "failed", string status = "5.1.1", string envelopeDomain = "council.gov.uk") => $"""
        Return-Path: <>
        Delivered-To: stepupdown-bounces@{envelopeDomain}
        Date: Thu, 3 Dec 2026 10:00:00 +0000 (GMT)
        From: MAILER-DAEMON@mx.{envelopeDomain} (Mail Delivery System)
        Subject: {(action == "delayed" ? "Delayed Mail (still being retried)" : "Undelivered Mail Returned to Sender")}
        To: stepupdown-bounces@{envelopeDomain}
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="B1"
        Message-Id: <20261203100000.{Guid.NewGuid():N}@mx.{envelopeDomain}>

        --B1
        Content-Description: Notification
        Content-Type: text/plain; charset=us-ascii

        This is the mail system at host mx.{envelopeDomain}.

        I'm sorry to have to inform you that your message could not
        be delivered to one or more recipients.

        <{QuotedAddress}> ({QuotedName}): host mx.nhs.net said: 550 {status} <{QuotedAddress}>:
            Recipient address rejected: User unknown

        --B1
        Content-Description: Delivery report
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.{envelopeDomain}
        X-Postfix-Queue-ID: 4QkYxT2bQz
        X-Postfix-Sender: rfc822; stepupdown-bounces@{envelopeDomain}
        Original-Envelope-Id: {notificationId:N}
        Arrival-Date: Thu,  3 Dec 2026 09:59:58 +0000 (GMT)

        Final-Recipient: rfc822; {QuotedAddress}
        Original-Recipient: rfc822;{QuotedAddress}
        Action: {action}
        Status: {status} ({QuotedName}'s mailbox)
        Remote-MTA: dns; mx.nhs.net
        Diagnostic-Code: smtp; 550 {status} <{QuotedAddress}>: Recipient address rejected: User unknown

        --B1
        Content-Description: Undelivered Message Headers
        Content-Type: text/rfc822-headers

        Message-Id: <{notificationId:N}@council.gov.uk>
        From: Step Up / Step Down <stepupdown@council.gov.uk>
        To: {QuotedName} <{QuotedAddress}>
        Subject: [secure] Step up: child protection (ref ABC123)

        --B1--
        """;

    /// <summary>Exchange Online / NHSmail: no envelope id, sent to the plain sender, the whole message returned.</summary>
    public static string Exchange(Guid notificationId, string status = "5.1.10") => $"""
        From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@nhs.net>
        To: <stepupdown@council.gov.uk>
        Date: Thu, 3 Dec 2026 10:00:02 +0000
        Subject: Undeliverable: [secure] Step up: child protection (ref ABC123)
        Auto-Submitted: auto-replied
        X-MS-Exchange-Message-Is-Ndr:
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="B2"
        Message-ID: <{Guid.NewGuid():N}@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>

        --B2
        Content-Type: multipart/alternative; boundary="B3"

        --B3
        Content-Type: text/plain; charset="us-ascii"

        Your message to {QuotedAddress} couldn't be delivered.
        {QuotedName} wasn't found at nhs.net.

        --B3
        Content-Type: text/html; charset="us-ascii"

        <html><body><p>Your message to {QuotedAddress} couldn't be delivered.</p></body></html>
        --B3--

        --B2
        Content-Type: message/delivery-status

        Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com
        Received-From-MTA: dns;relay.council.gov.uk
        Arrival-Date: Thu, 3 Dec 2026 10:00:00 +0000

        Final-Recipient: rfc822;{QuotedAddress}
        Action: failed
        Status: {status}
        Diagnostic-Code: smtp;550 {status} RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup
        X-Display-Name: {QuotedName}

        --B2
        Content-Type: message/rfc822

        Message-ID: <{notificationId:N}@council.gov.uk>
        From: Step Up / Step Down <stepupdown@council.gov.uk>
        To: {QuotedName} <{QuotedAddress}>
        Subject: [secure] Step up: child protection (ref ABC123)
        Content-Type: text/plain

        The child's notice.

        --B2--
        """;

    /// <summary>Gmail: sent to the envelope sender that names the notice, the headers returned.</summary>
    public static string Gmail(Guid notificationId, string status = "5.1.1") => $"""
        From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
        To: stepupdown-bounces+{notificationId:N}@council.gov.uk
        Date: Thu, 3 Dec 2026 10:00:03 +0000
        Subject: Delivery Status Notification (Failure)
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; boundary="B4"; report-type=delivery-status
        Message-ID: <{Guid.NewGuid():N}@mx.google.com>

        --B4
        Content-Type: multipart/related; boundary="B5"

        --B5
        Content-Type: text/plain; charset="UTF-8"

        Address not found
        Your message wasn't delivered to lead.professional@gmail.com because the address couldn't be found.

        --B5--

        --B4
        Content-Type: message/delivery-status

        Reporting-MTA: dns; googlemail.com
        Received-From-MTA: dns; relay.council.gov.uk
        Arrival-Date: Thu, 03 Dec 2026 02:00:01 -0800 (PST)

        Final-Recipient: rfc822; lead.professional@gmail.com
        Action: failed
        Status: {status}
        Remote-MTA: dns; gmail-smtp-in.l.google.com. (142.250.1.26, the server for the domain gmail.com.)
        Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.
        Last-Attempt-Date: Thu, 03 Dec 2026 02:00:02 -0800 (PST)

        --B4
        Content-Type: text/rfc822-headers

        Message-ID: <{notificationId:N}@council.gov.uk>
        From: Step Up / Step Down <stepupdown@council.gov.uk>
        Subject: Step up: child protection (ref ABC123)

        --B4--
        """;

    /// <summary>An out-of-office reply to a notice: quotes it, is not a bounce.</summary>
    public static string OutOfOffice(Guid notificationId) => $"""
        From: {QuotedName} <{QuotedAddress}>
        To: stepupdown-bounces+{notificationId:N}@council.gov.uk
        Date: Thu, 3 Dec 2026 10:00:04 +0000
        Subject: Automatic reply: [secure] Step up: child protection (ref ABC123)
        Auto-Submitted: auto-replied
        In-Reply-To: <{notificationId:N}@council.gov.uk>
        Content-Type: text/plain

        I am out of the office until Monday.
        """;

    /// <summary>A multipart/report whose delivery status cannot be read.</summary>
    public static string Broken(Guid notificationId) => $"""
        From: MAILER-DAEMON@mx.council.gov.uk
        To: stepupdown-bounces+{notificationId:N}@council.gov.uk
        Subject: Undelivered Mail Returned to Sender
        Content-Type: multipart/report; report-type=delivery-status; boundary="B6"

        --B6
        Content-Type: message/delivery-status

        Final-Recipient rfc822 nothing here is a field
        %%%%%%%%
        --B6
        """;

    public static MimeMessage Parse(string raw) =>
        MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw.ReplaceLineEndings("\r\n"))));
}
