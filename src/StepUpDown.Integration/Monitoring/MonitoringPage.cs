using System.Globalization;
using System.Text.Json;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StepUpDown.Domain.Monitoring;
using StepUpDown.Integration.Dashboard;
using StepUpDown.Integration.Handovers;

namespace StepUpDown.Integration.Monitoring;

/// <summary>
/// The MASSH's monitoring report for a quarter (the current one unless <c>?from=&amp;to=</c> name
/// another period): headline figures, charts drawn with the Chart.js the dashboard ships, the
/// tables behind them, and the same figures as CSV. Counts only: no child is named.
/// </summary>
internal sealed class MonitoringPage : DashboardPage
{
    public const string Route = "/monitoring";
    public const string CsvRoute = "/monitoring/csv";

    /// <summary>Links within a line of text are underlined: told apart by more than their colour (WCAG 1.4.1).</summary>
    private const string Underlined = "style=\"text-decoration: underline\"";

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>A stored step kind in words ("Handover stalled", not <c>HandoverStalled</c>); the CSV keeps the codes.</summary>
    private static string KindInWords(string kind) =>
        Enum.TryParse<StepUpDown.Domain.Detection.StepKind>(kind, out var known) ? StepUpDown.Integration.Mail.Notice.KindName(known) : kind;

    /// <summary>Reads the report of the period asked for, before the page is written.</summary>
    public static async Task<Asked> LoadAsync(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var period = PeriodAsked(context);
        var http = context.GetHttpContext();
        return new Asked(period, await http.RequestServices.GetRequiredService<MonitoringReports>().BuildAsync(period.From, period.To, http.RequestAborted));
    }

    public override void Execute()
    {
        Layout = new LayoutPage("Monitoring");
        var (period, report) = Loaded<Asked>();

        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Monitoring</h1>");
        WriteLiteral("<p><strong>");
        Write(period.ToString());
        WriteLiteral("</strong> &middot; ");
        Link("previous quarter", period.PreviousQuarter());
        WriteLiteral(" &middot; ");
        Link("next quarter", period.NextQuarter());
        WriteLiteral($" &middot; <a id=\"csv\" href=\"{Url.To(CsvRoute)}?{Query(period)}\" {Underlined}>Download CSV</a></p>");
        WriteLiteral($"<form method=\"get\" action=\"{Url.To(Route)}\" class=\"form-inline\"><label for=\"from\">From</label> <input type=\"date\" id=\"from\" name=\"from\" value=\"{Day(period.From)}\"> " +
                     $"<label for=\"to\">to</label> <input type=\"date\" id=\"to\" name=\"to\" value=\"{Day(period.To)}\"> <button type=\"submit\" class=\"btn btn-default btn-sm\">Show</button></form>");

        Table("Headline figures", ["Figure", "Value"],
        [
            ["Steps recorded", report.Steps.Sum(s => s.Count)],
            ["Step downs: planned / unplanned / routine closure / handover not tracked", $"{report.StepDowns.Planned} / {report.StepDowns.Unplanned} / {report.StepDowns.RoutineClosures} / {report.StepDowns.HandoverNotTracked}"],
            ["Re-referrals within 12 months (of step ups)", Share(report.ReReferrals)],
            ["Handovers completed", report.Durations.Completed],
            ["Handover length, working days: median / 90th percentile", $"{Days(report.Durations.Median)} / {Days(report.Durations.Percentile90)}"],
            ["Proposed leads accepted: by reply (of all who accepted)", report.Acceptances is { } byReply ? Share(byReply.ByReply) : "none"],
            ["Agreement to acceptance, working days: median", Days(report.Acceptances?.MedianWorkingDays)],
            ["Handovers stalled (escalated in the period)", report.Stalled.Sum(s => s.Count)],
            ["Step outs for non-engagement (of step outs)", Share(report.NonEngagementStepOuts)],
            ["NHS-number match rate (target 95%)", Share(report.NhsMatch)],
        ]);

        WriteLiteral("<div class=\"row\">");
        Chart("steps-per-week", "Steps per week, by kind");
        Chart("handover-durations", "Completed handovers by length (working days)");
        Chart("stalled-by-stage", "Stalled handovers by the highest stage sent");
        Chart("notices-by-outcome", "Notices by recipient and outcome");
        Chart("nhs-match", "NHS-number match rate against the 95% target");
        WriteLiteral("</div>");

        Table("Steps by kind, source and level", ["Kind", "Source", "From", "To", "Steps"],
            report.Steps.Select(s => new object?[] { KindInWords(s.Kind), s.Source, s.FromLevel, s.ToLevel, s.Count }));
        Table("Notices by recipient and outcome", ["Recipient", "Outcome", "Notices"],
            report.Notices.Select(n => new object?[] { n.RecipientRole, n.State, n.Count }));
        WriteLiteral("</div></div>");
        WriteCharts(report);
    }

    /// <summary>The period asked for and its report.</summary>
    public sealed record Asked(ReportPeriod Period, MonitoringReport Report);

    /// <summary>The period of <c>?from=&amp;to=</c>, or the council's current quarter.</summary>
    public static ReportPeriod PeriodAsked(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.GetHttpContext().Request;
        if (ReportPeriod.TryParse(request.Query["from"], request.Query["to"], out var asked))
        {
            return asked;
        }

        var services = context.GetHttpContext().RequestServices;
        var today = services.GetRequiredService<IOptions<HandoverOptions>>().Value.DateAt(services.GetRequiredService<TimeProvider>().GetUtcNow());
        return ReportPeriod.QuarterOf(today);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Query(ReportPeriod period) => $"from={Day(period.From)}&amp;to={Day(period.To)}";

    private static string Share(Share share) =>
        share.Rate is { } rate ? $"{rate.ToString("P1", EnGb)} ({share.Part} of {share.Whole})" : "none to count";

    private static string Days(double? days) => days?.ToString("0.#", EnGb) ?? "-";

    private void Link(string text, ReportPeriod period) => WriteLiteral($"<a href=\"{Url.To(Route)}?{Query(period)}\" {Underlined}>{text}</a>");

    private void Chart(string id, string title) =>
        WriteLiteral($"<div class=\"col-md-6\"><h4>{title}</h4><canvas id=\"{id}\" height=\"160\"></canvas></div>");

    /// <summary>The charts' data as JSON (its encoder escapes what HTML would read), drawn once the dashboard's scripts have loaded.</summary>
    private void WriteCharts(MonitoringReport report)
    {
        var monday = ReportPeriod.WeekOf(report.From);
        var weeks = Enumerable.Range(0, ((report.To.DayNumber - monday.DayNumber) / 7) + 1).Select(week => monday.AddDays(7 * week)).ToList();
        var kinds = report.StepsPerWeek.Select(w => w.Kind).Distinct().Order(StringComparer.Ordinal).ToList();
        var roles = report.Notices.Select(n => n.RecipientRole).Distinct().Order(StringComparer.Ordinal).ToList();
        var states = report.Notices.Select(n => n.State).Distinct().Order(StringComparer.Ordinal).ToList();
        var data = new
        {
            weeks = new { labels = weeks.Select(w => w.ToString("d MMM", EnGb)), series = kinds.Select(k => new { label = KindInWords(k), data = weeks.Select(w => report.StepsPerWeek.FirstOrDefault(c => c.WeekOf == w && c.Kind == k)?.Count ?? 0) }) },
            durations = new { labels = report.Durations.Buckets.Select(b => b.Label), data = report.Durations.Buckets.Select(b => b.Count) },
            stalled = new { labels = report.Stalled.Select(s => s.Name), data = report.Stalled.Select(s => s.Count) },
            notices = new { labels = roles, series = states.Select(s => new { label = s, data = roles.Select(r => report.Notices.FirstOrDefault(n => n.RecipientRole == r && n.State == s)?.Count ?? 0) }) },
            match = new { rate = report.NhsMatch.Rate is { } rate ? Math.Round(rate * 100, 1) : (double?)null, target = MonitoringReport.NhsMatchTarget * 100 },
        };
        WriteLiteral($"<script>window.stepUpDownReport = {JsonSerializer.Serialize(data)};</script>");
        WriteLiteral(
            """
            <script>
            document.addEventListener('DOMContentLoaded', function () {
              var r = window.stepUpDownReport, palette = ['#337ab7', '#5cb85c', '#f0ad4e', '#d9534f', '#5bc0de', '#777', '#9b59b6', '#1abc9c', '#e67e22', '#34495e', '#c0392b', '#16a085'];
              var outcomes = { sent: '#5cb85c', written: '#5bc0de', pending: '#f0ad4e', withheld: '#777', failed: '#d9534f' };
              function series(list) { return list.map(function (s, i) { return { label: s.label, data: s.data, backgroundColor: outcomes[s.label] || palette[i % palette.length] }; }); }
              var stacked = { animation: false, scales: { xAxes: [{ stacked: true }], yAxes: [{ stacked: true, ticks: { beginAtZero: true, precision: 0 } }] } };
              var plain = { animation: false, legend: { display: false }, scales: { yAxes: [{ ticks: { beginAtZero: true, precision: 0 } }] } };
              function draw(id, config) { window.stepUpDownCharts = window.stepUpDownCharts || {}; window.stepUpDownCharts[id] = new Chart(document.getElementById(id), config); }
              draw('steps-per-week', { type: 'bar', data: { labels: r.weeks.labels, datasets: series(r.weeks.series) }, options: stacked });
              draw('handover-durations', { type: 'bar', data: { labels: r.durations.labels, datasets: [{ data: r.durations.data, backgroundColor: palette[0] }] }, options: plain });
              draw('stalled-by-stage', { type: 'bar', data: { labels: r.stalled.labels, datasets: [{ data: r.stalled.data, backgroundColor: palette[3] }] }, options: plain });
              draw('notices-by-outcome', { type: 'bar', data: { labels: r.notices.labels, datasets: series(r.notices.series) }, options: stacked });
              draw('nhs-match', { type: 'horizontalBar', data: { labels: ['matched', 'target'], datasets: [{ data: [r.match.rate, r.match.target],
                backgroundColor: [r.match.rate !== null && r.match.rate >= r.match.target ? palette[1] : palette[3], '#ccc'] }] },
                options: { animation: false, legend: { display: false }, scales: { xAxes: [{ ticks: { min: 0, max: 100, callback: function (v) { return v + '%'; } } }] } } });
            });
            </script>
            """);
    }
}

/// <summary>The monitoring report of the page's period as a CSV download.</summary>
internal sealed class MonitoringCsv : IDashboardDispatcher
{
    public async Task Dispatch(DashboardContext context)
    {
        var (period, report) = await MonitoringPage.LoadAsync(context);
        var http = context.GetHttpContext();
        var response = http.Response;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"step-up-down-{period.From:yyyy-MM-dd}-to-{period.To:yyyy-MM-dd}.csv\"";
        await response.WriteAsync(ReportCsv.Write(report), http.RequestAborted);
    }
}
