using System.Net;
using Hangfire;
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

    /// <summary>A job that fails at once and for good: a delivery whose ledger row does not exist.</summary>
    private async Task<string> FailedJobAsync()
    {
        var id = Worker.Get<IBackgroundJobClient>().Enqueue<SendNotificationJob>(job => job.ExecuteAsync(Guid.NewGuid(), CancellationToken.None));
        await Worker.WaitUntilAsync(() => Task.FromResult(StateOf(id) == "Failed"), "the job has failed");
        return id;
    }

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
    public async Task NotificationsPage_ShowsWhatIsNotDeliveredWithItsJob_AndWhatWasSent_ByRoleNotAddress_AndAnAdminRetryReachesTheLedger()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1, odsCode: "Z99999"));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2, odsCode: "Z99999"));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Mail.WaitForMessagesAsync(2); // the MASSH's step up notice, and "could not notify the gp"
        await Worker.WaitUntilAsync(
            async () => await Worker.QueryScalarAsync<long>(
                "SELECT count(*) FROM stepupdown.notifications WHERE state IN ('pending', 'sending') OR (state = 'failed' AND job_id IS NULL)") == 0,
            "both sent recorded, and the GP's failure handed to its job");
        var (gp, jobId) = (await Worker.QueryAsync<(Guid, string)>(
            "SELECT id, job_id FROM stepupdown.notifications WHERE recipient_role = 'gp' AND job_id IS NOT NULL")).Single();
        using var viewer = new DashboardClient(Worker.BaseAddress);
        using var admin = new DashboardClient(Worker.BaseAddress);
        await viewer.SignInAsync("vera", ViewerPassword);
        await admin.SignInAsync("adam", AdminPassword);

        var page = await (await viewer.GetPageAsync("/hangfire/notifications")).Content.ReadAsStringAsync();
        var retry = await admin.CommandAsync($"/hangfire/jobs/actions/requeue/{jobId}");
        await Worker.WaitUntilAsync(
            async () => await Worker.QueryScalarAsync<int>("SELECT attempts FROM stepupdown.notifications WHERE id = @gp", new { gp }) == 2,
            "the retried job tried the ledger row again");

        page.ShouldContain("Last 24 hours: 1 failed, 2 sent.");
        var notDelivered = page[page.IndexOf("Not delivered", StringComparison.Ordinal)..page.IndexOf("Recently sent", StringComparison.Ordinal)];
        notDelivered.ShouldContain("<td>gp</td>");
        notDelivered.ShouldContain("Z99999");
        notDelivered.ShouldContain($"/hangfire/jobs/details/{jobId}");
        page[page.IndexOf("Recently sent", StringComparison.Ordinal)..].ShouldContain("<td>massh</td>");
        page.ShouldNotContain("@");
        page.ShouldNotContain("Lovelace");
        retry.IsSuccessStatusCode.ShouldBeTrue();
        // The ledger records the attempt a moment before Hangfire moves the job out of Processing.
        await Worker.WaitUntilAsync(() => Task.FromResult(StateOf(jobId) != "Processing"), "the retried job has finished");
        StateOf(jobId).ShouldBe("Failed", "still no practice Z99999 in the directory");
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
