using System.Text.Json;
using Dapper;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Telemetry;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// Delivers one ledger row (one step, one recipient): pending → sending → sent | failed. A message
/// the ledger knows was sent is never sent again. Throws when the row was not sent: a
/// <see cref="PermanentDeliveryException"/> when trying again cannot help, anything else when it can.
/// The first attempt is the dispatch's (<see cref="NotificationDispatcher"/>), the retries are the
/// row's own <see cref="SendNotificationJob"/>'s.
/// </summary>
public sealed partial class NotificationDelivery(
    NpgsqlDataSource dataSource,
    RecipientResolver recipients,
    INotificationDispatcher dispatcher,
    NotificationPlanner planner,
    MessageTemplates templates,
    IMailTransport transport,
    IOptions<MailOptions> mail,
    IOptions<CouncilOptions> council,
    LevelMaps levelMaps,
    ContinuumOfNeed continuum,
    InstanceLease lease,
    TimeProvider time,
    StepUpDownMetrics metrics,
    ILogger<NotificationDelivery> logger)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The rows this process is sending now: a row it marked sending but is not sending was left by a failed attempt.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, byte> _sending = new();

    /// <summary>
    /// Longer than any attempt takes (MailKit's timeout per SMTP command, a few commands): a row
    /// <c>sending</c> for longer was left by a crash.
    /// </summary>
    private TimeSpan AttemptTimeout => (mail.Value.Smtp.Timeout * 4) + TimeSpan.FromMinutes(1);

    /// <summary>Delivers notification <paramref name="notificationId"/> unless the ledger says it is done.</summary>
    public async Task DeliverAsync(Guid notificationId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await DeliverAsync(connection, transaction, notificationId, cancellationToken);
    }

    /// <summary>
    /// Locks the row, composes the message and marks it <c>sending</c> (committed, so ops staff see
    /// it and the lock is not held over SMTP), sends, then records the outcome. A row left
    /// <c>sending</c> by a crash is sent again, with the same Message-Id, once it is older than an
    /// attempt can take; a younger one is another attempt still under way, so this one waits.
    /// </summary>
    private async Task DeliverAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid notificationId, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<LedgerRow>(
            $$"""
            SELECT n.step_id AS StepId, n.state, n.sending_since AS SendingSince, n.sending_by AS SendingBy,
                   (n.sending_by IS NULL OR {{InstanceLease.IsAliveSql("n.sending_by")}}) AS SenderAlive,
                   n.recipient_role AS RecipientRole, n.message_id AS MessageId, n.template,
                   s.source, s.kind, s.from_level AS FromLevel, s.to_level AS ToLevel, array_to_string(s.markers, ',') AS Markers, s.subject,
                   s.record::text AS RecordJson, s.details::text AS DetailsJson
              FROM stepupdown.notifications n JOIN stepupdown.steps s ON s.id = n.step_id
             WHERE n.id = @notificationId
               FOR UPDATE OF n
            """,
            new { notificationId, aliveFor = InstanceLease.AliveFor },
            transaction) ?? throw new PermanentDeliveryException($"Notification {notificationId} is not in the ledger.");

        if (row.State is "sent" or "withheld")
        {
            LogAlreadyDone(logger, notificationId, row.State);
            return;
        }

        // Sending, by a live process, not for longer than an attempt takes: another attempt is under
        // way. A sender that died (its lease lapsed), or an attempt of this process that failed
        // after marking the row, sends nothing more: this attempt sends again, with the same
        // Message-Id, at once.
        var leftByThisProcess = row.SendingBy == lease.Id && !_sending.ContainsKey(notificationId);
        if (row.State == "sending" && row.SenderAlive && !leftByThisProcess && row.SendingSince > time.GetUtcNow().UtcDateTime - AttemptTimeout)
        {
            throw new DeliveryInFlightException(notificationId);
        }

        var sending = false;
        try
        {
            var record = JsonSerializer.Deserialize<ChildRecord>(row.RecordJson, JsonOptions)!;
            var noUsableNhsNumber = row.Markers.Contains(nameof(StepMarkers.InvalidNhsNumber), StringComparison.Ordinal)
                                    || !NhsNumber.IdentifiesAChild(record.NhsNumber);
            if (RecipientRoles.IsGp(row.RecipientRole) && noUsableNhsNumber)
            {
                // The rules already send these to the MASSH instead; this guards the rule itself.
                await RecordAsync(connection, transaction, notificationId, "withheld", null,
                    "NHS number missing or fails the Modulus 11 check: the GP is not written to until the match is resolved.");
                LogWithheld(logger, notificationId);
                return;
            }

            var recipient = await recipients.ResolveAsync(row.RecipientRole, record, row.Subject, cancellationToken);
            var message = Compose(notificationId, row, record, recipient, await UndeliveredAsync(connection, transaction, row));
            _sending[notificationId] = 0;
            await MarkSendingAsync(connection, transaction, notificationId);
            sending = true;
            await transport.SendAsync(message, cancellationToken);
            await using var outcome = await connection.BeginTransactionAsync(CancellationToken.None);
            await RecordAsync(connection, outcome, notificationId, "sent", recipient.Address, null, countAttempt: false);
            metrics.NotificationSent(row.RecipientRole, row.Template);
            LogSent(logger, notificationId, row.RecipientRole);
        }
        catch (Exception exception) when (Classify(exception) is { } failure)
        {
            // Before sending, the row is still locked in the first transaction; after, its outcome gets its own.
            await using var afterSending = sending ? await connection.BeginTransactionAsync(CancellationToken.None) : null;
            var outcome = afterSending ?? transaction;
            var tellMassh = failure.Permanent && !RecipientRoles.IsMassh(row.RecipientRole);
            if (tellMassh)
            {
                await AddMasshUndeliveredAsync(connection, outcome, row);
            }

            await RecordAsync(connection, outcome, notificationId, failure.Permanent ? "failed" : "pending", null, failure.Reason, countAttempt: !sending);
            if (tellMassh)
            {
                dispatcher.ScheduleDispatch();
            }

            metrics.NotificationFailed(row.RecipientRole, row.Template, failure.Permanent);

            // An SMTP reply's text is the server's and may quote the address: only its code goes
            // to the log and to the failure Hangfire keeps.
            var quotesServer = exception is SmtpCommandException;
            LogFailed(logger, quotesServer ? null : exception, notificationId, failure.Permanent, failure.Reason);
            if (exception is PermanentDeliveryException)
            {
                throw;
            }

            if (failure.Permanent)
            {
                throw new PermanentDeliveryException(failure.Reason);
            }

            if (quotesServer)
            {
                throw new DeliveryDeferredException(failure.Reason);
            }

            throw;
        }
        finally
        {
            _sending.TryRemove(notificationId, out _);
        }
    }

    /// <summary>A permanent failure to reach anyone but the MASSH becomes a notice to the MASSH, in the same transaction.</summary>
    private Task<IReadOnlyList<Guid>> AddMasshUndeliveredAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LedgerRow row) =>
        Ledger.AddNotificationsAsync(connection, transaction, [planner.Undelivered(row.StepId, row.RecipientRole)], time.GetUtcNow());

    /// <summary>For a MASSH "could not deliver" notice: which recipient failed, and why.</summary>
    private static async Task<UndeliveredView?> UndeliveredAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LedgerRow row)
    {
        if (!row.RecipientRole.StartsWith(RecipientRoles.MasshUndeliveredPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var failedRole = row.RecipientRole[RecipientRoles.MasshUndeliveredPrefix.Length..];
        var reason = await connection.ExecuteScalarAsync<string?>(
            "SELECT last_error FROM stepupdown.notifications WHERE step_id = @StepId AND recipient_role = @failedRole",
            new { row.StepId, failedRole },
            transaction);
        return new UndeliveredView(failedRole, reason ?? "unknown");
    }

    private MimeMessage Compose(Guid notificationId, LedgerRow row, ChildRecord record, Recipient recipient, UndeliveredView? undelivered)
    {
        var step = new StepFacts(
            Enum.Parse<StepKind>(row.Kind),
            continuum.Get(row.FromLevel),
            continuum.Get(row.ToLevel),
            string.IsNullOrEmpty(row.Markers) ? StepMarkers.None : Enum.Parse<StepMarkers>(row.Markers),
            row.Subject,
            row.Source);
        var handover = row.DetailsJson is null ? null : JsonSerializer.Deserialize<HandoverDetails>(row.DetailsJson, JsonOptions);
        var notice = Notice.Create(
            notificationId, record, step, new RecipientView(recipient.Name, row.RecipientRole), council.Value, recipient.Practice, undelivered, handover, TargetLevelName(row.Source, record));
        var rendered = templates.Render(row.Template ?? throw new PermanentDeliveryException("The ledger row names no template."), notice);

        var options = mail.Value;
        var message = new MimeMessage { MessageId = row.MessageId, Date = time.GetUtcNow() };
        message.From.Add(new MailboxAddress(options.FromName, options.From));
        message.To.Add(new MailboxAddress(recipient.Name, recipient.Address));
        message.Subject = string.IsNullOrWhiteSpace(options.SubjectTag) ? rendered.Subject : $"{options.SubjectTag} {rendered.Subject}";
        message.Headers.Add("X-StepUpDown-Reference", notice.Reference);
        message.Body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = rendered.Html }.ToMessageBody();
        return message;
    }

    /// <summary>The continuum's name for the level a step down was agreed to, as the record's source codes it.</summary>
    private string? TargetLevelName(string source, ChildRecord record) =>
        levelMaps.TryMapTarget(source, record.StepDown?.TargetLevel, out var level) ? level.Name : null;

    /// <summary>
    /// Marks the attempt under way and commits: the row is <c>sending</c> until its outcome is
    /// recorded. This commit does not wait for the disk (<c>synchronous_commit = off</c>): if a crash
    /// loses it, the row is back to pending, which is what a crash mid-send means anyway. The
    /// outcome's commit waits as usual.
    /// </summary>
    private async Task MarkSendingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid notificationId)
    {
        await connection.ExecuteAsync(
            """
            SET LOCAL synchronous_commit = off;
            UPDATE stepupdown.notifications SET state = 'sending', sending_since = @now, sending_by = @sender, attempts = attempts + 1 WHERE id = @notificationId
            """,
            new { notificationId, now = time.GetUtcNow(), sender = lease.Id },
            transaction);
        await transaction.CommitAsync();
    }

    private async Task RecordAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid notificationId, string state, string? address, string? error, bool countAttempt = true)
    {
        await connection.ExecuteAsync(
            """
            UPDATE stepupdown.notifications
               SET state = @state, attempts = attempts + CASE WHEN @countAttempt THEN 1 ELSE 0 END, last_error = @error, sending_since = NULL,
                   recipient_address = COALESCE(@address, recipient_address),
                   sent_at = CASE WHEN @state = 'sent' THEN @now ELSE sent_at END
             WHERE id = @notificationId
            """,
            new { notificationId, state, address, error, countAttempt, now = time.GetUtcNow() },
            transaction);
        await transaction.CommitAsync();
    }

    /// <summary>
    /// Permanent: our own <see cref="PermanentDeliveryException"/> and 5xx SMTP replies (recipient
    /// refused, mailbox unavailable). Everything else (connection refused, timeouts, 4xx, protocol
    /// errors) is worth another try. Reasons name codes, never addresses or content.
    /// </summary>
    internal static DeliveryFailure Classify(Exception exception) => exception switch
    {
        PermanentDeliveryException permanent => new DeliveryFailure(true, permanent.Message),
        ParseException or FormatException => new DeliveryFailure(true, $"The message could not be built: {exception.GetType().Name}"),
        SmtpCommandException { StatusCode: var status } when (int)status >= 500 =>
            new DeliveryFailure(true, $"SMTP server refused the message: {(int)status} {status}"),
        SmtpCommandException { StatusCode: var status } => new DeliveryFailure(false, $"SMTP server deferred the message: {(int)status} {status}"),
        _ => new DeliveryFailure(false, $"Delivery failed: {exception.GetType().Name}"),
    };

    internal sealed record DeliveryFailure(bool Permanent, string Reason);

    private sealed record LedgerRow(
        Guid StepId,
        string State,
        DateTime? SendingSince,
        Guid? SendingBy,
        bool SenderAlive,
        string RecipientRole,
        string MessageId,
        string? Template,
        string Source,
        string Kind,
        string FromLevel,
        string ToLevel,
        string Markers,
        string? Subject,
        string RecordJson,
        string? DetailsJson);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {NotificationId} is already {State}; nothing to send")]
    private static partial void LogAlreadyDone(ILogger logger, Guid notificationId, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} withheld: the child's NHS number is missing or invalid")]
    private static partial void LogWithheld(ILogger logger, Guid notificationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {NotificationId} sent to the {RecipientRole}")]
    private static partial void LogSent(ILogger logger, Guid notificationId, string recipientRole);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} failed (permanent: {Permanent}): {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception? exception, Guid notificationId, bool permanent, string reason);
}
