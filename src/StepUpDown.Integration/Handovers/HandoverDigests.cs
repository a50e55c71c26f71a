using StepUpDown.Integration.Mail;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Monitoring;
using StepUpDown.Domain.Time;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Handovers;

/// <summary>What a digest run did.</summary>
/// <param name="Sent">Managers sent their digest.</param>
/// <param name="AlreadySent">Managers sent theirs earlier this week (a re-run).</param>
/// <param name="Failed">Managers whose digest could not be sent (the job fails, and its retry tries them again).</param>
/// <param name="WithoutManager">
/// Open handovers whose record names no team manager's email, or one that is not valid or not on
/// the secure-domain allow-list: listed to the MASSH instead, each saying why.
/// </param>
public sealed record DigestResult(int Sent, int AlreadySent, int Failed, int WithoutManager);

/// <summary>
/// The weekly digest (<c>Handovers:DigestCron</c>, in the council's time zone): to each team
/// manager named on an open handover's record, one email listing their team's open handovers,
/// stalled first, with what is missing, how long each has been open, and the ladder's next stage
/// and its date. Records that name no manager, or an address that may not be sent to, go to the
/// MASSH, saying what to correct: a wrong record is corrected rather than failing the job every
/// week. Children are named by case-system id and reference only: the manager looks them up in
/// their own case system.
/// </summary>
public sealed partial class HandoverDigests(
    NpgsqlDataSource dataSource,
    NotificationLedger ledger,
    IOptions<HandoverOptions> options,
    WorkingDayCalendar calendar,
    MessageTemplates templates,
    OutgoingMail outgoing,
    IMailTransport transport,
    SecureDomains secureDomains,
    IOptions<CouncilOptions> council,
    IOptions<NotificationOptions> notifications,
    IOptions<MailOptions> mail,
    TimeProvider time,
    ILogger<HandoverDigests> logger)
{
    /// <summary>The template the digest is written with.</summary>
    public const string Template = "handover-digest";

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Sends this week's digests not yet sent.</summary>
    public async Task<DigestResult> SendAsync(CancellationToken cancellationToken)
    {
        var today = options.Value.DateAt(time.GetUtcNow());
        var weekOf = ReportPeriod.WeekOf(today);
        var ladder = options.Value.ToLadder();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // One run at a time across instances ("Trigger now" during the scheduled run included):
        // what the other run sends is read as already sent only once it has finished.
        await using var running = await AdvisoryLock.TryAcquireAsync(connection, "handover-digests", cancellationToken);
        if (running is null)
        {
            LogAnotherRun(logger);
            return new DigestResult(0, 0, 0, 0);
        }

        var open = (await connection.QueryAsync<OpenHandover>(
            $"""
            SELECT h.id, h.source, h.child_id AS ChildId, h.planned, h.started_on AS StartedOn, h.working_days AS WorkingDays,
                   array_to_string(h.missing, ',') AS Missing, h.last_stage AS LastStage, h.last_stage_on AS LastStageOn,
                   lower(trim(r.record->'allocatedTeam'->>'managerEmail')) AS Manager, r.record->'allocatedTeam'->>'managerName' AS ManagerName,
                   r.record->'allocatedTeam'->>'name' AS Team, NULL::text AS Note
              FROM stepupdown.handovers h LEFT JOIN stepupdown.child_records r USING (source, child_id)
             WHERE h.state = {HandoverStates.Sql(HandoverState.Open)}
             ORDER BY h.last_stage DESC NULLS LAST, h.started_on, h.source, h.child_id
            """)).AsList();
        var already = await NotificationLedger.DigestsSentAsync(connection, weekOf);

        // A handover with no team manager it may be sent to is nobody's to chase: the MASSH gets
        // those in a digest of its own, each saying what to correct on the record.
        var massh = notifications.Value.MasshEmail.Trim().ToLowerInvariant();
        open = [.. open.Select(h => UnusableManager(h.Manager) is { } why
            ? h with { Manager = massh, ManagerName = "MASSH", Team = "records with no team manager to send to", Note = why }
            : h)];
        var unmanaged = open.Count(h => h.Note is not null);

        int sent = 0, failed = 0;
        var managers = open.GroupBy(h => h.Manager!).ToList();
        foreach (var team in managers.Where(m => !already.Contains(m.Key)))
        {
            try
            {
                await SendOneAsync(connection, team.Key, [.. team], weekOf, today, ladder, cancellationToken);
                sent++;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failed++;
                LogDigestFailed(logger, exception.GetType().Name);
            }
        }

        var result = new DigestResult(sent, managers.Count(m => already.Contains(m.Key)), failed, unmanaged);
        LogDigests(logger, result.Sent, result.AlreadySent, result.Failed, result.WithoutManager);
        return failed > 0 ? throw new DeliveryDeferredException($"{failed} of {managers.Count} weekly digests could not be sent; the retry sends them.") : result;
    }

    /// <summary>Why a record's team manager address cannot be sent to, in words for the MASSH; null when it can.</summary>
    private string? UnusableManager(string? manager) => string.IsNullOrEmpty(manager) ? "Its record names no team manager." : secureDomains.Check(manager) switch
    {
        AddressVerdict.NotAnAddress => "Its record's team manager email is not a valid address: correct it in the case system.",
        AddressVerdict.NotAllowed => "Its record's team manager email is not on the secure-domain list: correct it in the case system.",
        _ => null,
    };

    private async Task SendOneAsync(
        NpgsqlConnection connection, string manager, IReadOnlyList<OpenHandover> handovers, DateOnly weekOf, DateOnly today, EscalationLadder ladder, CancellationToken cancellationToken)
    {
        var address = MailboxAddress.Parse(manager);
        var lines = handovers.Select(h => Line(h, today, ladder)).ToList();
        var model = new DigestModel(
            handovers[0].ManagerName ?? "Team manager",
            handovers[0].Team,
            weekOf.ToString("d MMMM yyyy", EnGb),
            lines.Count,
            lines.Count(l => l.LastStage is not null),
            lines,
            council.Value,
            ToMassh: handovers.Any(h => h.Note is not null));
        var reference = $"DIGEST-{weekOf:yyyyMMdd}";
        var messageId = $"digest-{weekOf:yyyyMMdd}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manager)))[..16]}@{mail.Value.MessageIdDomain}";
        await transport.SendAsync(outgoing.Create(messageId, new MailboxAddress(model.ManagerName, address.Address), templates.Render(Template, model), reference), null, cancellationToken);

        // Accepted by the relay: recorded, never sent again for want of the record.
        await ledger.RecordDigestSentAsync(connection, weekOf, manager, time.GetUtcNow());
    }

    private DigestLine Line(OpenHandover handover, DateOnly today, EscalationLadder ladder)
    {
        var next = ladder.Next(handover.LastStage ?? -1, handover.StartedOn, handover.LastStageOn ?? today, calendar);
        return new DigestLine(
            Notice.ReferenceOf(handover.Id),
            handover.Source,
            handover.ChildId,
            handover.Planned ? "agreed" : "unplanned",
            handover.StartedOn.ToString("d MMMM yyyy", EnGb),
            handover.WorkingDays ?? 0,
            [.. handover.Missing.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(item => HandoverChecklist.Describe(Enum.Parse<ChecklistItem>(item)))],
            handover.LastStage is { } stage && stage < ladder.Stages.Count ? ladder.Stages[stage].Name : null,
            next?.Stage.Name,
            next?.On.ToString("d MMMM yyyy", EnGb),
            handover.Note);
    }

    private sealed record OpenHandover(
        Guid Id, string Source, string ChildId, bool Planned, DateOnly StartedOn, int? WorkingDays, string Missing, int? LastStage, DateOnly? LastStageOn,
        string? Manager, string? ManagerName, string? Team, string? Note);

    [LoggerMessage(Level = LogLevel.Information, Message = "Weekly handover digests: another run is sending them now; this one sends nothing")]
    private static partial void LogAnotherRun(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Weekly handover digests: {Sent} sent, {AlreadySent} already sent this week, {Failed} failed, {WithoutManager} open handovers have no team manager to send to (listed to the MASSH)")]
    private static partial void LogDigests(ILogger logger, int sent, int alreadySent, int failed, int withoutManager);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A weekly digest could not be sent: {Error}")]
    private static partial void LogDigestFailed(ILogger logger, string error);
}

/// <summary>What the digest template sees (snake_case in Liquid).</summary>
/// <param name="ManagerName">Whom it greets.</param>
/// <param name="Team">The team's name on the record, where it has one.</param>
/// <param name="WeekOf">The Monday of the week, in words.</param>
/// <param name="Open">How many open handovers it lists.</param>
/// <param name="Stalled">How many of them a ladder stage has been sent for.</param>
/// <param name="Handovers">The handovers, stalled first.</param>
/// <param name="Council">The council and its numbers.</param>
/// <param name="ToMassh">True for the MASSH's digest of the handovers with no team manager to send to.</param>
public sealed record DigestModel(string ManagerName, string? Team, string WeekOf, int Open, int Stalled, IReadOnlyList<DigestLine> Handovers, CouncilOptions Council, bool ToMassh = false);

/// <summary>One open handover in a digest.</summary>
/// <param name="Reference">The reference of the step that opened it.</param>
/// <param name="Source">The case system.</param>
/// <param name="ChildId">The child's id there.</param>
/// <param name="Kind">agreed or unplanned.</param>
/// <param name="StartedOn">When the working days started.</param>
/// <param name="WorkingDays">Working days open, at the last review.</param>
/// <param name="Missing">What its checklist still lacks, in words.</param>
/// <param name="LastStage">The last ladder stage sent; null while none is.</param>
/// <param name="NextStage">What comes next if nothing changes; null when nothing will.</param>
/// <param name="NextStageOn">When it comes.</param>
/// <param name="Note">In the MASSH's digest, why it is there rather than with a team manager; else null.</param>
public sealed record DigestLine(
    string Reference, string Source, string ChildId, string Kind, string StartedOn, int WorkingDays, IReadOnlyList<string> Missing, string? LastStage, string? NextStage, string? NextStageOn,
    string? Note = null);
