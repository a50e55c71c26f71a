using System.Globalization;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>
/// The MASSH's daily list of quarantined records (<c>CaseFeeds:QuarantineListCron</c>, in the
/// council's time zone): by source, each case id and since when, so that a person checks those
/// children by hand. Ids only, never what a record held; nothing is sent while none is quarantined,
/// and one list a day at most.
/// </summary>
public sealed partial class QuarantineList(
    NpgsqlDataSource dataSource,
    MessageTemplates templates,
    OutgoingMail outgoing,
    IMailTransport transport,
    IOptions<CouncilOptions> council,
    IOptions<NotificationOptions> notifications,
    IOptions<MailOptions> mail,
    IOptions<HandoverOptions> handovers,
    TimeProvider time,
    ILogger<QuarantineList> logger)
{
    private const int MaxCases = 1000;

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Sends today's list, unless none is quarantined or it was sent already; true when sent now.</summary>
    public async Task<bool> SendAsync(CancellationToken cancellationToken)
    {
        var today = handovers.Value.DateAt(time.GetUtcNow());
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var running = await AdvisoryLock.TryAcquireAsync(connection, "quarantine-list", cancellationToken);
        if (running is null
            || await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM stepupdown.quarantine_lists_sent WHERE sent_on = @today)", new { today }))
        {
            return false;
        }

        var cases = await QuarantinedRecords.ListAsync(connection, MaxCases);
        if (cases.Count == 0)
        {
            return false;
        }

        var model = new QuarantineListModel(
            today.ToString("d MMMM yyyy", EnGb),
            cases.Count,
            [.. cases.GroupBy(c => c.Source).Select(source => new QuarantineListSource(
                source.Key,
                [.. source.Select(c => new QuarantineListCase(c.ChildId ?? "(no readable case id)", c.Since.ToString("d MMMM yyyy", EnGb)))]))],
            council.Value);
        var messageId = $"quarantine-{today:yyyyMMdd}@{mail.Value.MessageIdDomain}";
        await transport.SendAsync(
            outgoing.Create(messageId, new MailboxAddress("MASSH", notifications.Value.MasshEmail), templates.Render(QuarantineListModel.Template, model), $"QUARANTINE-{today:yyyyMMdd}"),
            null,
            cancellationToken);

        // Accepted by the relay: recorded, never sent again for want of the record.
        await DatabaseErrors.RecordAcceptedAsync(
            async retry =>
            {
                await using var recording = retry ? await dataSource.OpenConnectionAsync(CancellationToken.None) : null;
                return await (recording ?? connection).ExecuteAsync(
                    "INSERT INTO stepupdown.quarantine_lists_sent (sent_on, sent_at) VALUES (@today, @now) ON CONFLICT DO NOTHING", new { today, now = time.GetUtcNow() });
            },
            error => LogRecordRetried(logger, error));
        LogSent(logger, cases.Count);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The MASSH was sent today's list of {Count} quarantined cases")]
    private static partial void LogSent(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording today's quarantine list as sent failed ({Error}); retrying on a new connection")]
    private static partial void LogRecordRetried(ILogger logger, string error);
}

/// <summary>The daily list of quarantined records to the MASSH; retried, as a list not accepted by the relay is not recorded.</summary>
[AutomaticRetry(Attempts = 5, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class SendQuarantineListJob(QuarantineList list)
{
    /// <summary>The recurring job's id.</summary>
    public const string RecurringJobId = "quarantine-list";

    /// <summary>Sends today's list, if any is due.</summary>
    public Task ExecuteAsync(CancellationToken cancellationToken) => list.SendAsync(cancellationToken);
}
