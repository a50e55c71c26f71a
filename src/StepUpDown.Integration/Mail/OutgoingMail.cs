using Microsoft.Extensions.Options;
using MimeKit;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Builds every message the worker sends the same way: its sender, the secure-subject tag, a
/// Reply-To a person reads (<c>Mail:ReplyTo</c>, else the MASSH), the reference, the headers of
/// an automatic message, and, for the messages of one handover, the headers that thread them.
/// </summary>
public sealed class OutgoingMail(IOptions<MailOptions> mail, IOptions<NotificationOptions> notifications, TimeProvider time)
{
    /// <summary>The message to one recipient.</summary>
    /// <param name="messageId">Deterministic, so a retry sends the same message again, never a new one.</param>
    /// <param name="recipient">Who it is for.</param>
    /// <param name="rendered">Its subject and bodies.</param>
    /// <param name="reference">The reference the recipient quotes back.</param>
    /// <param name="thread">The Message-Id every message of one handover refers to; null for a message on its own.</param>
    /// <param name="replyTo">The address that reads the recipient's answer (<see cref="ReplyAddresses"/>); null: the one every reply goes to.</param>
    public MimeMessage Create(string messageId, MailboxAddress recipient, RenderedMessage rendered, string reference, string? thread = null, string? replyTo = null)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        var options = mail.Value;
        var message = new MimeMessage { MessageId = messageId, Date = time.GetUtcNow() };
        message.From.Add(new MailboxAddress(options.FromName, options.From));
        message.To.Add(recipient);
        message.Subject = string.IsNullOrWhiteSpace(options.SubjectTag) ? rendered.Subject : $"{options.SubjectTag} {rendered.Subject}";
        message.ReplyTo.Add(MailboxAddress.Parse(replyTo ?? (string.IsNullOrWhiteSpace(options.ReplyTo) ? notifications.Value.MasshEmail : options.ReplyTo)));
        message.Headers.Add("X-StepUpDown-Reference", reference);
        if (thread is not null)
        {
            // The thread's first message is never sent under this id: clients group by it all the same.
            message.InReplyTo = thread;
            message.References.Add(thread);
        }

        // An automatic message (RFC 3834): out-of-office replies and auto-forwards are not sent back to it.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        message.Body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = rendered.Html }.ToMessageBody();
        return message;
    }

    /// <summary>The Message-Id the messages of one handover refer to.</summary>
    public string ThreadOf(Guid handoverId) => $"handover-{handoverId:N}@{mail.Value.MessageIdDomain}";
}
