using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Integration.Tests.Monitoring;

namespace StepUpDown.Integration.Tests.Dashboard;

/// <summary>
/// A viewer opens the monitoring report of the seeded quarter in a real headless Chromium: the
/// charts are drawn by the dashboard's own Chart.js, a screenshot is kept, and the CSV link
/// downloads the same figures with the browser's sign-in.
/// </summary>
public sealed class ChromiumReportTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string Password = "steering group viewer password";

    protected override void Adjust(Dictionary<string, string?> settings)
    {
        settings["Jobs:RunServer"] = "false";
        DashboardClient.AddAccount(settings, "vera", Password, "viewer");
    }

    [Fact]
    public async Task ReportPage_InChromium_DrawsItsCharts_AndDownloadsTheCsv()
    {
        await SeededQuarter.SeedAsync(Worker);
        await using var browser = await WebDriverSession.StartAsync();

        await browser.SignInAsync(Worker.BaseAddress, "vera", Password);
        await browser.ResizeAsync(1280, 1900);
        await browser.GoToAsync(new Uri(Worker.BaseAddress, "/hangfire/monitoring?from=2026-07-01&to=2026-09-30"));
        var charts = await browser.ExecuteAsync(
            """
            var charts = window.stepUpDownCharts || {};
            return Object.keys(charts).map(function (id) { var c = charts[id]; return id + '=' + c.data.datasets.map(function (d) { return d.data.join('+'); }).join('|'); });
            """);
        var page = await browser.SourceAsync();
        var screenshot = await browser.ScreenshotAsync("monitoring-report.png");
        var csv = (await browser.ExecuteAsync(
            """
            var request = new XMLHttpRequest();
            request.open('GET', document.getElementById('csv').href, false);
            request.send();
            return request.status + ' ' + request.getResponseHeader('Content-Type') + '\n' + request.responseText;
            """)).GetString()!;

        page.ShouldContain("1 July 2026 to 30 September 2026 (Q2 2026/27)");
        page.ShouldContain("60.0% (3 of 5)", Case.Sensitive, "the NHS-number match rate");
        charts.EnumerateArray().Select(c => c.GetString()).ShouldBe(
        [
            // Every week of the quarter, from Monday 29 June (0) to Monday 28 September (13); kinds in order.
            $"steps-per-week={Weeks((7, 1), (8, 1), (9, 1))}|{Weeks((5, 3))}|{Weeks((6, 2))}|{Weeks((0, 2), (1, 1), (13, 1))}",
            "handover-durations=1+1+1+1+0",
            "stalled-by-stage=1+1",
            "notices-by-outcome=1+0+0|0+1+0|2+2+1|1+0+0", // failed, pending, sent, withheld for gp, massh, massh-nhs-match
            "nhs-match=60+95",
        ]);
        csv.ShouldStartWith("200 text/csv");
        csv.ShouldContain("2026-07-01,2026-09-30,nhs_number_matched_rate,,,,,,,,0.6");
        new FileInfo(screenshot).Length.ShouldBeGreaterThan(20_000);
    }

    /// <summary>A chart's data for the quarter's 14 weeks: zero but where given.</summary>
    private static string Weeks(params (int Week, int Count)[] counts) =>
        string.Join('+', Enumerable.Range(0, 14).Select(week => counts.FirstOrDefault(c => c.Week == week).Count));
}
