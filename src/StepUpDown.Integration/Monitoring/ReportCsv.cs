using System.Globalization;
using System.Text;

namespace StepUpDown.Integration.Monitoring;

/// <summary>
/// A <see cref="MonitoringReport"/> as one CSV table a spreadsheet can pivot: a row per figure,
/// with the columns that break it down left blank where they do not apply.
/// </summary>
public static class ReportCsv
{
    private static readonly string[] Header = ["period_from", "period_to", "figure", "kind", "source", "from_level", "to_level", "recipient_role", "state", "stage", "value"];

    /// <summary>The whole report, header first, lines ending CRLF (RFC 4180).</summary>
    public static string Write(MonitoringReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        Line(csv, Header);
        void Figure(string figure, object? value, string kind = "", string source = "", string fromLevel = "", string toLevel = "", string role = "", string state = "", string stage = "") =>
            Line(csv, [Day(report.From), Day(report.To), figure, kind, source, fromLevel, toLevel, role, state, stage, Number(value)]);

        foreach (var step in report.Steps)
        {
            Figure("steps", step.Count, step.Kind, step.Source, step.FromLevel, step.ToLevel);
        }

        foreach (var week in report.StepsPerWeek)
        {
            Figure($"steps_in_week_of_{Day(week.WeekOf)}", week.Count, week.Kind);
        }

        Figure("step_downs_planned", report.StepDowns.Planned);
        Figure("step_downs_unplanned", report.StepDowns.Unplanned);
        Figure("step_downs_routine_closure", report.StepDowns.RoutineClosures);
        Figure("step_downs_handover_not_tracked", report.StepDowns.HandoverNotTracked);
        ShareFigures("step_ups", "re_referrals_within_12_months", report.ReReferrals);
        Figure("handovers_completed", report.Durations.Completed);
        Figure("handover_working_days_median", report.Durations.Median);
        Figure("handover_working_days_90th_percentile", report.Durations.Percentile90);
        if (report.Acceptances is { } acceptances)
        {
            ShareFigures("leads_accepted", "leads_accepted_by_reply", acceptances.ByReply);
            Figure("acceptance_working_days_median", acceptances.MedianWorkingDays);
        }

        foreach (var bucket in report.Durations.Buckets)
        {
            Figure($"handovers_completed_in_{bucket.Label.Replace(' ', '_')}_working_days", bucket.Count);
        }

        foreach (var stage in report.Stalled)
        {
            Figure("handovers_stalled", stage.Count, stage: stage.Name);
        }

        ShareFigures("step_outs", "step_outs_non_engagement", report.NonEngagementStepOuts);
        foreach (var notice in report.Notices)
        {
            Figure("notices", notice.Count, role: notice.RecipientRole, state: notice.State);
        }

        ShareFigures("gp_notices_due", "nhs_number_matched", report.NhsMatch);
        Figure("nhs_number_match_target", MonitoringReport.NhsMatchTarget);
        return csv.ToString();

        void ShareFigures(string whole, string part, Share share)
        {
            Figure(whole, share.Whole);
            Figure(part, share.Part);
            Figure($"{part}_rate", share.Rate);
        }
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Number(object? value) => value switch
    {
        null => "",
        double d => Math.Round(d, 4).ToString(CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void Line(StringBuilder csv, IEnumerable<string> cells)
    {
        csv.AppendJoin(',', cells.Select(Cell)).Append("\r\n");
    }

    /// <summary>Quoted where needed; a cell a spreadsheet would run as a formula is made text.</summary>
    private static string Cell(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
