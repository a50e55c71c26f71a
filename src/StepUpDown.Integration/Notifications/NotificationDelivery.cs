using System.Text.Json;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Telemetry;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// Delivers one ledger row (one step, one recipient): pending → sending → sent | written | failed.
/// A message the ledger knows was sent is never sent again. Returns what came of it; the ledger's
/// statements are <see cref="NotificationLedger"/>'s. Every attempt is a dispatch's
/// (<see cref="NotificationDispatcher"/>): a failure that may pass leaves the row pending, due
/// again when <see cref="RetrySchedule"/> says; the row, not a job, remembers it.
/// </summary>
public sealed partial class NotificationDelivery(
    NotificationLedger ledger,
    RecipientResolver recipients,
    NotificationPlanner planner,
    MessageTemplates templates,
    IMailTransport transport,
    IOptions<MailOptions> mail,
    IOptions<CouncilOptions> council,
    OutgoingMail outgoing,
    ReplyAddresses replyAddresses,
    LevelMaps levelMaps,
    ContinuumOfNeed continuum,
    InstanceLease lease,
    RetrySchedule schedule,
    IChildPractice practices,
    StepUpDownMetrics metrics,
    ILogger<NotificationDelivery> logger)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The rows this process is sending now: a row it marked sending but is not sending was left by a failed attempt.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, byte> _sending = new();

    /// <summary>Rows the relay accepted whose record could not be written: the next attempt records them, and sends nothing.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, (NotificationState State, string Address)> _acceptedUnrecorded = new();

    /// <summary>
    /// Longer than any attempt takes (MailKit's timeout per SMTP command, a few commands): a row
    /// <c>sending</c> for longer was left by a crash.
    /// </summary>
    public TimeSpan AttemptTimeout => (mail.Value.Smtp.Timeout * 4) + TimeSpan.FromMinutes(1);

    /// <summary>
    /// Delivers notification <paramref name="notificationId"/> unless the ledger says it is done:
    /// locks the row, composes the message, marks it <c>sending</c>, sends, then records the
    /// outcome. A row left <c>sending</c> by a crash is sent again, with the same Message-Id, once
    /// its sender is gone or it is older than an attempt can take; a younger one of a live sender is
    /// another attempt still under way, so this one comes to <see cref="DeliveryResult.InFlight"/>.
    /// </summary>
    public async Task<DeliveryOutcome> DeliverAsync(Guid notificationId, CancellationToken cancellationToken)
    {
        await using var attempt = await ledger.BeginAttemptAsync(notificationId, AttemptTimeout, cancellationToken);
        if (attempt is null)
        {
            return new DeliveryOutcome(DeliveryResult.Failed, DeliveryFailureKind.Refused); // purged, or erased on request: nothing to send
        }

        var row = attempt.Row;
        if (NotificationStates.IsDone(row.State))
        {
            _acceptedUnrecorded.TryRemove(notificationId, out _);
            LogAlreadyDone(logger, notificationId, row.State);
            return DeliveryOutcome.Done;
        }

        if (_acceptedUnrecorded.TryGetValue(notificationId, out var accepted))
        {
            // Accepted by the relay before; only its record was lost. The row is locked: record it.
            await attempt.RecordAcceptedAsync(accepted.State, accepted.Address, MasshIfBounced(row));
            _acceptedUnrecorded.TryRemove(notificationId, out _);
            return Accepted(attempt, notificationId, row);
        }

        // Sending, by a live process, not for longer than an attempt takes: another attempt is under
        // way. A sender that died (its lease lapsed), or an attempt of this process that failed
        // after marking the row, sends nothing more: this attempt sends again, with the same
        // Message-Id, at once.
        var leftByThisProcess = row.SendingBy == lease.Id && !_sending.ContainsKey(notificationId);
        if (row.State == NotificationState.Sending && row.SenderAlive && !leftByThisProcess && row.SendingRecently)
        {
            return new DeliveryOutcome(DeliveryResult.InFlight);
        }

        try
        {
            var composed = row.Written is { } written ? FromWritten(row, written) : await ComposeOfStepAsync(attempt, cancellationToken);
            if (composed is not var (message, address))
            {
                return DeliveryOutcome.Done;
            }

            _sending[notificationId] = 0;
            if (!await attempt.MarkSendingAsync())
            {
                // Paused past the lease: a peer may take the row over; this instance sends nothing.
                LogGaveUp(logger, notificationId);
                return new DeliveryOutcome(DeliveryResult.InFlight);
            }

            try
            {
                await transport.SendAsync(message, attempt.StillOwnsAsync, cancellationToken);
            }
            catch (SendAbandonedException)
            {
                // Paused past the lease after marking the row: a peer may have taken it over; this instance sends nothing, records nothing.
                LogGaveUp(logger, notificationId);
                return new DeliveryOutcome(DeliveryResult.InFlight);
            }
            catch (Exception exception)
            {
                return await RecordFailureAsync(attempt, notificationId, exception, cancellationToken);
            }

            // Accepted: from here on the row is recorded as sent, never sent again. An outbox file
            // reached nobody: the row says so, and never counts as the recipient told.
            var delivered = transport.ReachesRecipients ? NotificationState.Sent : NotificationState.Written;
            _acceptedUnrecorded[notificationId] = (delivered, address);
            var recorded = await attempt.RecordAcceptedAsync(delivered, address, MasshIfBounced(row));
            _acceptedUnrecorded.TryRemove(notificationId, out _);
            if (!recorded)
            {
                LogTakenOver(logger, notificationId);
                return DeliveryOutcome.Done;
            }

            if (attempt.BouncedOnRecord)
            {
                return Accepted(attempt, notificationId, row);
            }

            if (delivered == NotificationState.Sent)
            {
                metrics.NotificationSent(row.RecipientRole, row.Template);
                if (row.Written is null)
                {
                    // Detected to delivered: of a step's notices only (a digest is of no one step).
                    metrics.NotificationDelivered(row.RecipientRole, row.DetectedAt);
                }
            }

            LogDelivered(logger, notificationId, row.RecipientRole, delivered);
            return DeliveryOutcome.Done;
        }
        catch (Exception exception) when (exception is not NpgsqlException)
        {
            return await RecordFailureAsync(attempt, notificationId, exception, cancellationToken);
        }
        finally
        {
            _sending.TryRemove(notificationId, out _);
        }
    }

    /// <summary>A notice written when it was added (a weekly digest): its message as written.</summary>
    private (MimeMessage Message, string Address) FromWritten(LedgerRow row, WrittenNotice written) =>
        (outgoing.Create(row.MessageId, new MailboxAddress(written.Name, written.Address), new RenderedMessage(written.Subject, written.Text, written.Html), written.Reference),
         written.Address);

    /// <summary>
    /// A notice about a step, composed now from the step's record, for whoever holds its role now;
    /// null when the notice is withheld (recorded so).
    /// </summary>
    private async Task<(MimeMessage Message, string Address)?> ComposeOfStepAsync(LedgerAttempt attempt, CancellationToken cancellationToken)
    {
        var row = attempt.Row;
        var record = JsonSerializer.Deserialize<ChildRecord>(row.RecordJson, JsonOptions)!;
        if (RecipientRoles.IsGp(row.RecipientRole) && !NotificationRules.MayWriteToGp(row.StepMarkers, record.NhsNumber))
        {
            // The rules already send these to the MASSH instead; this guards the rule itself.
            await attempt.RecordAsync(NotificationState.Withheld, null,
                "NHS number missing or fails the Modulus 11 check: the GP is not written to until the match is resolved.");
            LogWithheld(logger, attempt.Id);
            return null;
        }

        if (row.RecipientRole == RecipientRoles.Gp && row.Waited && await practices.NowAsync(row.Source, row.ChildId, cancellationToken) is { } now)
        {
            // A notice that waited (tried before, or older than a minute) goes to the practice the
            // child is registered with now, not the one it was when the step was recorded.
            record = record with { GpPractice = now };
        }

        var recipient = await recipients.ResolveAsync(row.RecipientRole, record, row.Subject, cancellationToken);
        return (Compose(row, record, recipient, await UndeliveredAsync(attempt)), recipient.Address);
    }

    /// <summary>
    /// Records a failed attempt in one statement: <c>failed</c> when trying again cannot help or
    /// the retries ran out (and, unless the notice was the MASSH's own, a notice to the MASSH in the
    /// same transaction), else <c>pending</c>, due again when the retry schedule says.
    /// </summary>
    private async Task<DeliveryOutcome> RecordFailureAsync(LedgerAttempt attempt, Guid notificationId, Exception exception, CancellationToken cancellationToken)
    {
        var row = attempt.Row;
        var failure = DeliveryFailure.Of(exception);

        // The login gate was closed, so the relay was never asked: no attempt is counted, and the
        // notice waits as long as after its first.
        var asked = exception is not RelayNotAskedException;
        var attemptsMade = row.Attempts + 1;
        var shuttingDown = cancellationToken.IsCancellationRequested;

        // Shutting down cut the attempt off: due again at once, for whichever instance is left.
        var retryAfter = shuttingDown ? TimeSpan.Zero : failure.Permanent ? null : asked ? schedule.After(attemptsMade) : schedule.Untried;
        var fails = retryAfter is null;
        var reason = fails && !failure.Permanent ? $"Gave up after {attemptsMade} attempts. Last: {failure.Reason}" : failure.Reason;
        var tellMassh = fails && NotificationRules.FailureIsToldToMassh(row.RecipientRole);
        var recorded = await attempt.RecordAsync(
            fails ? NotificationState.Failed : NotificationState.Pending,
            null,
            reason,
            tellMassh ? planner.Undelivered(row.StepId, row.RecipientRole) : null,
            failure.Kind,
            retryAfter,
            counted: asked);
        if (shuttingDown)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
        }

        if (!recorded)
        {
            // A peer took the row over while this attempt was paused: its outcome stands, not this one's.
            LogTakenOver(logger, notificationId);
            return DeliveryOutcome.Done;
        }

        metrics.NotificationFailed(row.RecipientRole, row.Template, fails);

        // An SMTP reply's text is the server's and may quote the address: only its code goes to the log.
        LogFailed(logger, exception is SmtpCommandException ? null : exception, notificationId, fails, reason, retryAfter);
        return new DeliveryOutcome(fails ? DeliveryResult.Failed : DeliveryResult.TryAgain, failure.Kind, tellMassh);
    }

    /// <summary>The MASSH's notice should a bounce kept for the row apply as it is recorded sent; null for the MASSH's own notices.</summary>
    private NotificationToStore? MasshIfBounced(LedgerRow row) =>
        NotificationRules.FailureIsToldToMassh(row.RecipientRole) ? planner.Undelivered(row.StepId, row.RecipientRole) : null;

    /// <summary>What recording an accepted message came to: done, with the MASSH's notice to dispatch when a kept bounce applied.</summary>
    private DeliveryOutcome Accepted(LedgerAttempt attempt, Guid notificationId, LedgerRow row)
    {
        if (!attempt.BouncedOnRecord)
        {
            return DeliveryOutcome.Done;
        }

        LogKeptBounceApplied(logger, notificationId, row.RecipientRole);
        return new DeliveryOutcome(DeliveryResult.Done, NoticeAdded: NotificationRules.FailureIsToldToMassh(row.RecipientRole));
    }

    /// <summary>For a MASSH "could not deliver" notice: which recipient failed, and why.</summary>
    private static async Task<UndeliveredView?> UndeliveredAsync(LedgerAttempt attempt)
    {
        if (RecipientRoles.UndeliveredRoleOf(attempt.Row.RecipientRole) is not { } failedRole)
        {
            return null;
        }

        var reason = await attempt.LastErrorAsync(failedRole);
        return new UndeliveredView(failedRole, reason ?? "unknown");
    }

    private MimeMessage Compose(LedgerRow row, ChildRecord record, Recipient recipient, UndeliveredView? undelivered)
    {
        var step = new StepFacts(
            Enum.Parse<StepKind>(row.Kind),
            continuum.Get(row.FromLevel),
            continuum.Get(row.ToLevel),
            row.StepMarkers,
            row.Subject,
            row.Source);
        var handover = row.DetailsJson is null ? null : JsonSerializer.Deserialize<HandoverDetails>(row.DetailsJson, JsonOptions);
        // The proposed lead answers a handover's messages by reply, to an address that names it.
        var replyTo = row.RecipientRole == RecipientRoles.ProposedLead && row.HandoverId is { } answered ? replyAddresses.For(answered, recipient.Address) : null;
        // One reference per step: the GP's, the MASSH's and the lead's copies of one step name the same one.
        var notice = Notice.Create(
            row.StepId, record, step, new RecipientView(recipient.Name, row.RecipientRole), council.Value, recipient.Practice, undelivered, handover, TargetLevelName(row.Source, record))
            with { AnswerByReply = replyTo is not null };
        var rendered = templates.Render(row.Template ?? throw new PermanentDeliveryException("The ledger row names no template."), notice);

        return outgoing.Create(
            row.MessageId, new MailboxAddress(recipient.Name, recipient.Address), rendered, notice.Reference, row.HandoverId is { } handoverId ? outgoing.ThreadOf(handoverId) : null, replyTo);
    }

    /// <summary>The continuum's name for the level a step down was agreed to, as the record's source codes it.</summary>
    private string? TargetLevelName(string source, ChildRecord record) =>
        levelMaps.TryMapTarget(source, record.StepDown?.TargetLevel, out var level) ? level.Name : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} to the {RecipientRole}: a bounce that came back before its record was kept, and applies now: bounced")]
    private static partial void LogKeptBounceApplied(ILogger logger, Guid notificationId, string recipientRole);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId}: this instance's lease lapsed before it was sent; this instance sends nothing")]
    private static partial void LogGaveUp(ILogger logger, Guid notificationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId}: a peer took the row over while this attempt was paused; its outcome stands")]
    private static partial void LogTakenOver(ILogger logger, Guid notificationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {NotificationId} is already {State}; nothing to send")]
    private static partial void LogAlreadyDone(ILogger logger, Guid notificationId, NotificationState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} withheld: the child's NHS number is missing or invalid")]
    private static partial void LogWithheld(ILogger logger, Guid notificationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {NotificationId} to the {RecipientRole}: {State}")]
    private static partial void LogDelivered(ILogger logger, Guid notificationId, string recipientRole, NotificationState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} failed (for good: {Failed}, next attempt in {RetryAfter}): {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception? exception, Guid notificationId, bool failed, string reason, TimeSpan? retryAfter);
}
