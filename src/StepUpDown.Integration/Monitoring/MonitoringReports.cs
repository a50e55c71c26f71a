using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Notifications;

namespace StepUpDown.Integration.Monitoring;

/// <summary>
/// Computes the <see cref="MonitoringReport"/> of a period from what the worker stored (no case
/// feed is read again). A step belongs to the day its source dated it (<c>updatedAt</c>), or the
/// council's day it was detected; a handover to the council's day it completed.
/// </summary>
public sealed class MonitoringReports(NpgsqlDataSource dataSource, IOptions<HandoverOptions> handovers, WorkingDayCalendar calendar)
{
    private static readonly (string Label, int Max)[] Bands = [("0-5", 5), ("6-10", 10), ("11-15", 15), ("16-20", 20), ("over 20", int.MaxValue)];

    /// <summary>The report of <paramref name="from"/> to <paramref name="to"/>, both days included.</summary>
    public async Task<MonitoringReport> BuildAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        if (to < from)
        {
            throw new ArgumentException($"The period ends ({to:yyyy-MM-dd}) before it starts ({from:yyyy-MM-dd}).", nameof(to));
        }

        var period = new { from, to, timeZone = handovers.Value.TimeZone };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await connection.ExecuteAsync(
            $"""
            CREATE TEMP TABLE period_steps ON COMMIT DROP AS
            SELECT id, source, kind, from_level, to_level, markers, subject,
                   COALESCE(occurred_on, (detected_at AT TIME ZONE @timeZone)::date) AS day
              FROM stepupdown.steps
             WHERE occurred_on BETWEEN @from AND @to
                OR (occurred_on IS NULL AND detected_at >= {CouncilMidnight("@from")} AND detected_at < {CouncilMidnight("@to + 1")})
            """,
            period,
            transaction);

        var steps = (await connection.QueryAsync<StepCount>(
            """
            SELECT kind, source, from_level AS FromLevel, to_level AS ToLevel, count(*)::int AS count
              FROM period_steps GROUP BY kind, source, from_level, to_level ORDER BY kind, source, from_level, to_level
            """,
            transaction: transaction)).AsList();
        var weeks = (await connection.QueryAsync<WeekCount>(
            """
            SELECT date_trunc('week', day)::date AS WeekOf, kind, count(*)::int AS count
              FROM period_steps GROUP BY 1, kind ORDER BY 1, kind
            """,
            transaction: transaction)).AsList();
        var marked = await connection.QuerySingleAsync<MarkedCounts>(
            $"""
            SELECT count(*) FILTER (WHERE kind = '{StepKind.StepDown}' AND NOT markers && ARRAY['{StepMarkers.Unplanned}', '{StepMarkers.RoutineClosure}', '{StepMarkers.HandoverNotTracked}'])::int AS Planned,
                   count(*) FILTER (WHERE kind = '{StepKind.StepDown}' AND '{StepMarkers.HandoverNotTracked}' = ANY (markers))::int AS NotTracked,
                   count(*) FILTER (WHERE kind = '{StepKind.StepDown}' AND '{StepMarkers.Unplanned}' = ANY (markers))::int AS Unplanned,
                   count(*) FILTER (WHERE kind = '{StepKind.StepDown}' AND '{StepMarkers.RoutineClosure}' = ANY (markers))::int AS RoutineClosures,
                   count(*) FILTER (WHERE kind = '{StepKind.StepUp}')::int AS StepUps,
                   count(*) FILTER (WHERE kind = '{StepKind.StepUp}' AND '{StepMarkers.ReReferral}' = ANY (markers))::int AS ReReferrals,
                   count(*) FILTER (WHERE kind = '{StepKind.StepOut}')::int AS StepOuts,
                   count(*) FILTER (WHERE kind = '{StepKind.StepOut}' AND '{StepMarkers.NonEngagement}' = ANY (markers))::int AS NonEngagement
              FROM period_steps
            """,
            transaction: transaction);
        // The lengths for the bands, and their median and 90th percentile, in one read.
        var completed = await connection.QuerySingleAsync<(int[]? Days, double? Median, double? Percentile90)>(
            $"""
            SELECT array_agg(working_days), percentile_cont(0.5) WITHIN GROUP (ORDER BY working_days),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY working_days)
              FROM stepupdown.handovers
             WHERE state = {HandoverStates.Sql(HandoverState.Complete)} AND working_days IS NOT NULL
               AND closed_at >= {CouncilMidnight("@from")} AND closed_at < {CouncilMidnight("@to + 1")}
            """,
            period,
            transaction);
        var durations = completed.Days ?? [];
        var stalled = await connection.QueryAsync<(int Stage, int Count)>(
            $"""
            SELECT stage, count(*)::int FROM (
                SELECT split_part(subject, ':', 1) AS handover, max(split_part(subject, ':', 2)::int) AS stage
                  FROM period_steps WHERE kind = '{StepKind.HandoverStalled}' GROUP BY 1) AS reached
             GROUP BY stage ORDER BY stage
            """,
            transaction: transaction);
        var notices = (await connection.QueryAsync<NoticeCount>(
            $"""
            SELECT n.recipient_role AS RecipientRole, CASE WHEN n.state IN ({NotificationStates.Sql(NotificationStates.Undelivered)}) THEN {NotificationStates.Sql(NotificationState.Pending)} ELSE n.state END AS State,
                   count(*)::int AS Count
              FROM stepupdown.notifications n JOIN period_steps s ON s.id = n.step_id
             GROUP BY 1, 2 ORDER BY 1, 2
            """,
            transaction: transaction)).AsList();
        var match = await connection.QuerySingleAsync<(int Matched, int Whole)>(
            $"""
            SELECT count(DISTINCT n.step_id) FILTER (WHERE n.recipient_role = '{RecipientRoles.Gp}' AND n.state <> {NotificationStates.Sql(NotificationState.Withheld)})::int,
                   count(DISTINCT n.step_id)::int
              FROM stepupdown.notifications n JOIN period_steps s ON s.id = n.step_id
             WHERE n.recipient_role IN ('{RecipientRoles.Gp}', '{RecipientRoles.MasshNhsMatch}')
            """,
            transaction: transaction);
        var accepted = await connection.QueryAsync<(DateOnly StartedOn, DateTime? ByReplyAt, DateOnly? RecordedOn)>(
            $"""
            SELECT started_on, accepted_by_reply_at, recorded_on
              FROM (SELECT started_on, accepted_by_reply_at,
                           CASE WHEN agreement -> 'proposedLeadProfessional' ->> 'acceptedOn' ~ '^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$'
                                THEN (agreement -> 'proposedLeadProfessional' ->> 'acceptedOn')::date END AS recorded_on
                      FROM stepupdown.handovers WHERE planned) AS h
             WHERE (accepted_by_reply_at >= {CouncilMidnight("@from")} AND accepted_by_reply_at < {CouncilMidnight("@to + 1")})
                OR (accepted_by_reply_at IS NULL AND recorded_on BETWEEN @from AND @to)
            """,
            period,
            transaction);
        await transaction.CommitAsync(cancellationToken);

        var ladder = handovers.Value.ToLadder();
        return new MonitoringReport(
            from,
            to,
            steps,
            weeks,
            new StepDownSplit(marked.Planned, marked.Unplanned, marked.RoutineClosures, marked.NotTracked),
            new Share(marked.ReReferrals, marked.StepUps),
            new HandoverDurations(
                durations.Length,
                completed.Median,
                completed.Percentile90,
                [.. Bands.Select((band, i) => new DurationBucket(band.Label, durations.Count(d => d <= band.Max && (i == 0 || d > Bands[i - 1].Max))))]),
            [.. stalled.Select(s => new StageCount(s.Stage, s.Stage < ladder.Stages.Count ? ladder.Stages[s.Stage].Name : $"stage {s.Stage + 1}", s.Count))],
            new Share(marked.NonEngagement, marked.StepOuts),
            notices,
            new Share(match.Matched, match.Whole),
            Acceptances(accepted.AsList()));
    }

    /// <summary>Who accepted, how many by reply, and the median working days from the agreement to the first word of acceptance.</summary>
    private LeadAcceptances Acceptances(List<(DateOnly StartedOn, DateTime? ByReplyAt, DateOnly? RecordedOn)> accepted)
    {
        var days = new List<int>();
        foreach (var (startedOn, byReplyAt, recordedOn) in accepted)
        {
            var byReply = byReplyAt is { } at ? handovers.Value.DateAt(new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))) : (DateOnly?)null;
            var on = new[] { byReply, recordedOn }.Where(d => d is not null).Min()!.Value;
            if (on >= startedOn && Covers(startedOn) && Covers(on))
            {
                days.Add(calendar.WorkingDaysBetween(startedOn, on));
            }
        }

        days.Sort();
        double? median = days.Count == 0 ? null : days.Count % 2 == 1 ? days[days.Count / 2] : (days[(days.Count / 2) - 1] + days[days.Count / 2]) / 2.0;
        return new LeadAcceptances(new Share(accepted.Count(a => a.ByReplyAt is not null), accepted.Count), median);
    }

    private bool Covers(DateOnly day) => day.Year >= calendar.FirstYear && day.Year <= calendar.LastYear;

    /// <summary>
    /// The instant the council's day <paramref name="day"/> (a SQL date) begins: a period's bounds
    /// as instants, so the indexes on when a step was detected or a handover closed are used.
    /// </summary>
    private static string CouncilMidnight(string day) => $"(({day})::timestamp AT TIME ZONE @timeZone)";

    private sealed record MarkedCounts(int Planned, int NotTracked, int Unplanned, int RoutineClosures, int StepUps, int ReReferrals, int StepOuts, int NonEngagement);
}
