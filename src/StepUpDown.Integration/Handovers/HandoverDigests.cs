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
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Notifications;

namespace StepUpDown.Integration.Handovers;

/// <summary>What a digest run did.</summary>
/// <param name="Added">Managers whose digest was written into the ledger, to go out with the dispatch.</param>
/// <param name="AlreadyAdded">Managers whose digest of this week was written earlier (a re-run, a second instance).</param>
/// <param name="WithoutManager">
/// Open handovers whose record names no team manager's email, or one that is not valid or not on
/// the secure-domain allow-list: listed to the MASSH instead, each saying why.
/// </param>
public sealed record DigestResult(int Added, int AlreadyAdded, int WithoutManager);

/// <summary>
/// The weekly digest (<c>Handovers:DigestCron</c>, in the council's time zone): to each team
/// manager named on an open handover's record, one email listing their team's open handovers,
/// stalled first, with what is missing, how long each has been open, and the ladder's next stage
/// and its date. Records that name no manager, or an address that may not be sent to, go to the
/// MASSH, saying what to correct: a wrong record is corrected rather than failing the job every
/// week. Children are named by case-system id and reference only: the manager looks them up in
/// their own case system.
/// <para>
/// A digest is a notice like any other: written into the delivery ledger (one row per manager and
/// week, keyed by both, so a re-run adds nothing) and sent by its dispatch, with its retries, its
/// place on the Notifications page and its bounces. It is written as the week's handovers stand
/// when the job runs; the row keeps it until it is sent.
/// </para>
/// </summary>
public sealed partial class HandoverDigests(
    NpgsqlDataSource dataSource,
    NotificationLedger ledger,
    INotificationDispatcher dispatcher,
    IOptions<HandoverOptions> options,
    WorkingDayCalendar calendar,
    MessageTemplates templates,
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

    /// <summary>Writes this week's digests not yet written into the ledger, and has them dispatched.</summary>
    public async Task<DigestResult> WriteAsync(CancellationToken cancellationToken)
    {
        var today = options.Value.DateAt(time.GetUtcNow());
        var weekOf = ReportPeriod.WeekOf(today);
        var ladder = options.Value.ToLadder();
        var open = await OpenHandoversAsync(cancellationToken);

        // A handover with no team manager it may be sent to is nobody's to chase: the MASSH gets
        // those in a digest of its own, each saying what to correct on the record.
        var massh = notifications.Value.MasshEmail.Trim().ToLowerInvariant();
        open = [.. open.Select(h => UnusableManager(h.Manager) is { } why
            ? h with { Manager = massh, ManagerName = "MASSH", Team = "records with no team manager to send to", Note = why }
            : h)];

        int added = 0, already = 0;
        foreach (var team in open.GroupBy(h => h.Manager!))
        {
            var id = IdOf(weekOf, team.Key);
            if (await ledger.AddWrittenAsync(id, RecipientRoles.Digest, Template, Write(id, team.Key, [.. team], weekOf, today, ladder)))
            {
                added++;
            }
            else
            {
                already++;
            }
        }

        if (added > 0)
        {
            dispatcher.ScheduleDispatch();
        }

        var result = new DigestResult(added, already, open.Count(h => h.Note is not null));
        LogDigests(logger, result.Added, result.AlreadyAdded, result.WithoutManager);
        return result;
    }

    /// <summary>The open handovers, the most escalated first, with the team managers their records name.</summary>
    private async Task<List<OpenHandover>> OpenHandoversAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<OpenHandover>(
            $"""
            SELECT h.id, h.source, h.child_id AS ChildId, h.planned, h.started_on AS StartedOn, h.working_days AS WorkingDays,
                   array_to_string(h.missing, ',') AS Missing, h.last_stage AS LastStage, h.last_stage_on AS LastStageOn,
                   lower(trim(r.record->'allocatedTeam'->>'managerEmail')) AS Manager, r.record->'allocatedTeam'->>'managerName' AS ManagerName,
                   r.record->'allocatedTeam'->>'name' AS Team, NULL::text AS Note
              FROM stepupdown.handovers h LEFT JOIN stepupdown.child_records r USING (source, child_id)
             WHERE h.state = {HandoverStates.Sql(HandoverState.Open)}
             ORDER BY h.last_stage DESC NULLS LAST, h.started_on, h.source, h.child_id
            """)).AsList();
    }

    /// <summary>
    /// The ledger id of <paramref name="manager"/>'s digest of the week of <paramref name="weekOf"/>:
    /// the first 16 bytes of SHA-256 of "digest", the Monday and the address, a line each (V023
    /// gives the digests sent before it the same).
    /// </summary>
    public static Guid IdOf(DateOnly weekOf, string manager) =>
        Guid.ParseExact(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"digest\n{weekOf:yyyy-MM-dd}\n{manager}"))).AsSpan(0, 16)), "N");

    /// <summary>Why a record's team manager address cannot be sent to, in words for the MASSH; null when it can.</summary>
    private string? UnusableManager(string? manager) => string.IsNullOrEmpty(manager) ? "Its record names no team manager." : secureDomains.Check(manager) switch
    {
        AddressVerdict.NotAnAddress => "Its record's team manager email is not a valid address: correct it in the case system.",
        AddressVerdict.NotAllowed => "Its record's team manager email is not on the secure-domain list: correct it in the case system.",
        _ => null,
    };

    private WrittenNotice Write(Guid id, string manager, IReadOnlyList<OpenHandover> handovers, DateOnly weekOf, DateOnly today, EscalationLadder ladder)
    {
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
        var rendered = templates.Render(Template, model);
        return new WrittenNotice(
            $"{id:N}@{mail.Value.MessageIdDomain}", model.ManagerName, MailboxAddress.Parse(manager).Address, $"DIGEST-{weekOf:yyyyMMdd}", rendered.Subject, rendered.Text, rendered.Html);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Weekly handover digests: {Added} written for the dispatch, {AlreadyAdded} written earlier this week, {WithoutManager} open handovers have no team manager to send to (listed to the MASSH)")]
    private static partial void LogDigests(ILogger logger, int added, int alreadyAdded, int withoutManager);
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
