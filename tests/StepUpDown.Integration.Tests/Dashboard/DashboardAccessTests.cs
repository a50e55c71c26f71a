using System.Net;
using Hangfire;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Dashboard;

/// <summary>The dashboard through the real host: sign-in, roles and Hangfire's own commands.</summary>
public sealed class DashboardAccessTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string ViewerPassword = "viewer password for tests";
    private const string AdminPassword = "admin password for tests";

    protected override void Adjust(Dictionary<string, string?> settings)
    {
        DashboardClient.AddAccount(settings, "vera", ViewerPassword, "viewer");
        DashboardClient.AddAccount(settings, "adam", AdminPassword, "admin");
    }

    /// <summary>A job that has failed: a sweep, as Hangfire keeps one whose retries ran out.</summary>
    private Task<string> FailedJobAsync() =>
        Task.FromResult(Worker.Get<IBackgroundJobClient>().Create<SweepHandoversJob>(
            job => job.ExecuteAsync(CancellationToken.None), new Hangfire.States.FailedState(new InvalidOperationException("a failure for the test"))));

    private string? StateOf(string jobId) => Worker.Get<JobStorage>().GetConnection().GetJobData(jobId)?.State;

    [Fact]
    public async Task Anonymous_BrowserIsSentToSignIn_AndTheApiAnswers401_EvenFromLoopback()
    {
        using var anonymous = new DashboardClient(Worker.BaseAddress);

        var page = await anonymous.GetPageAsync("/hangfire");
        var stats = await anonymous.PostAsync("/hangfire/stats");
        var handovers = await anonymous.PostAsync("/hangfire/handovers");
        var reportCsv = await anonymous.GetPageAsync("/hangfire/monitoring/csv?from=2026-07-01&to=2026-09-30");
        var audit = await anonymous.GetPageAsync("/hangfire/audit?source=social-care&id=SC-1");

        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        reportCsv.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the report's download is behind the sign-in too");
        audit.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location.ShouldNotBeNull().OriginalString.ShouldContain("/signin");
        stats.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        handovers.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task WrongPassword_IsRefused_AndLoggedWithoutThePassword()
    {
        using var client = new DashboardClient(Worker.BaseAddress);

        var refused = await client.SignInAsync("vera", "not-the-password-7731");
        var page = await client.GetPageAsync("/hangfire");

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var log = await Worker.StopAndReadLogAsync();
        log.ShouldContain("Dashboard sign-in refused for vera");
        log.ShouldNotContain("not-the-password-7731");
    }

    [Fact]
    public async Task Viewer_SeesFailedJobsAndHandovers_ButCannotRetry()
    {
        var jobId = await FailedJobAsync();
        using var viewer = new DashboardClient(Worker.BaseAddress);

        (await viewer.SignInAsync("vera", ViewerPassword)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var failed = await viewer.GetPageAsync("/hangfire/jobs/failed");
        var handovers = await viewer.GetPageAsync("/hangfire/handovers");
        var retry = await viewer.CommandAsync($"/hangfire/jobs/actions/requeue/{jobId}");

        failed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await failed.Content.ReadAsStringAsync()).ShouldContain($"#{jobId}");
        (await handovers.Content.ReadAsStringAsync()).ShouldContain("of 0 open");
        retry.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "Hangfire's read-only mode refuses commands");
        StateOf(jobId).ShouldBe("Failed");
    }

    [Fact]
    public async Task NotificationsPage_ShowsFailedNoticesByRoleNotAddress_CountsThemInTheMenu_AndOnlyAnAdminActsOnThem()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1, odsCode: "Z99999"));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2, odsCode: "Z99999"));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Mail.WaitForMessagesAsync(2); // the MASSH's step up notice, and "could not notify the gp"
        await Worker.WaitForLedgerSettledAsync();
        var gp = (await Worker.QueryAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp' AND state = 'failed'")).Single();
        using var viewer = new DashboardClient(Worker.BaseAddress);
        using var admin = new DashboardClient(Worker.BaseAddress);
        await viewer.SignInAsync("vera", ViewerPassword);
        await admin.SignInAsync("adam", AdminPassword);

        var page = await (await viewer.GetPageAsync("/hangfire" + NotificationsPage.Route)).Content.ReadAsStringAsync();
        var figures = await (await viewer.StatsAsync("count:/notifications")).Content.ReadAsStringAsync();
        var viewerRetry = await viewer.PostAsync(NotificationsPage.RetryNowPath);
        var retried = await admin.SubmitFormAsync("/hangfire" + NotificationsPage.Route, NotificationsPage.RetryNowPath, new() { ["id"] = gp.ToString() });
        await Worker.WaitUntilAsync(
            async () => await Worker.QueryScalarAsync<int>("SELECT attempts FROM stepupdown.notifications WHERE id = @gp AND state = 'failed'", new { gp }) == 1,
            "the retried notice was tried again at once, and failed again (still no practice Z99999)");

        page.ShouldContain("Last 24 hours: 1 failed, 2 sent.");
        var needingAction = page[page.IndexOf("Failed, or waiting", StringComparison.Ordinal)..page.IndexOf("Recently sent", StringComparison.Ordinal)];
        needingAction.ShouldContain("<td>gp</td>");
        needingAction.ShouldContain("refused: ");
        needingAction.ShouldContain("Z99999");
        needingAction.ShouldNotContain("Retry now", customMessage: "a viewer cannot act");
        page.ShouldContain("data-metric=\"count:/notifications\" class=\"metric metric-danger highlighted\">1</span>", customMessage: "the menu counts the failed notice, as Hangfire counts its Failed jobs");
        figures.ShouldContain("\"count:/notifications\":{\"value\":\"1\"", customMessage: "the dashboard's own refresh of its figures updates the count");
        page[page.IndexOf("Recently sent", StringComparison.Ordinal)..].ShouldContain("<td>massh</td>");
        page.ShouldNotContain("@");
        page.ShouldNotContain("Lovelace");
        viewerRetry.StatusCode.ShouldNotBe(HttpStatusCode.Redirect, "a viewer's post is refused");
        retried.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await Worker.QueryAsync<(string Action, string By)>("SELECT action, action_by FROM stepupdown.notifications WHERE id = @gp", new { gp }))
            .Single().ShouldBe(("retried now", "adam"));
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'massh-undelivered:gp'"))
            .ShouldBe(1, "the MASSH was told of the GP's notice once, however often it is retried");

        var dealtWith = await admin.SubmitFormAsync("/hangfire" + NotificationsPage.Route, NotificationsPage.DealtWithPath, new() { ["id"] = gp.ToString() });
        var after = await (await viewer.GetPageAsync("/hangfire" + NotificationsPage.Route)).Content.ReadAsStringAsync();

        dealtWith.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        after.ShouldNotContain("metric-danger", customMessage: "a notice marked dealt with leaves the menu's count");
        after[after.IndexOf("Failed, or waiting", StringComparison.Ordinal)..after.IndexOf("Recently sent", StringComparison.Ordinal)].ShouldNotContain("<td>gp</td>");
    }

    [Fact]
    public async Task Admin_CanRetryAFailedJob()
    {
        var jobId = await FailedJobAsync();
        var statesBefore = Worker.Get<JobStorage>().GetMonitoringApi().JobDetails(jobId).History.Count;
        using var admin = new DashboardClient(Worker.BaseAddress);

        (await admin.SignInAsync("adam", AdminPassword)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var retry = await admin.CommandAsync($"/hangfire/jobs/actions/requeue/{jobId}");

        retry.IsSuccessStatusCode.ShouldBeTrue();
        var history = Worker.Get<JobStorage>().GetMonitoringApi().JobDetails(jobId).History;
        history.Count.ShouldBeGreaterThan(statesBefore);
        history.ShouldContain(state => state.StateName == "Enqueued");
    }
}
