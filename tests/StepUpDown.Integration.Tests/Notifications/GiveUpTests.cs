using Hangfire;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Notifications;

/// <summary>No notice ends silently: a notice Hangfire gives up on is failed in the ledger, the MASSH is told, readiness says so.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class GiveUpTests(PostgresFixture postgres, MailDevFixture mail) : IDisposable
{
    private readonly FeedServer _feed = new();

    private static async Task<(string State, int Attempts, string? LastError)> LedgerAsync(WorkerHarness worker, string role) =>
        (await worker.QueryAsync<(string, int, string?)>(
            "SELECT state, attempts, last_error FROM stepupdown.notifications WHERE recipient_role = @role", new { role })).Single();

    [Fact]
    public async Task RetriesRunOut_TheRowIsFailedWithItsReason_TheMasshIsAskedToFollowUp_AndReadinessIsDegraded()
    {
        var closedPort = MailDevFixture.FreePort();
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail, settings =>
        {
            settings["Mail:Smtp:Port"] = closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Notifications:MaxAttempts"] = "1";
        });
        _feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        _feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE job_id IS NULL OR attempts = 0") == 0,
            "the GP's and the MASSH's notices are each handed to a delivery job, and tried");
        var gpJob = await worker.QueryScalarAsync<string>("SELECT job_id FROM stepupdown.notifications WHERE recipient_role = 'gp'");

        // Its one retry is used up: what Hangfire holds after the last scheduled retry has run.
        using (var connection = worker.Get<JobStorage>().GetConnection())
        {
            connection.SetJobParameter(gpJob, "RetryCount", "1");
        }

        worker.Get<IBackgroundJobClient>().Requeue(gpJob);
        await worker.WaitUntilAsync(async () => (await LedgerAsync(worker, "gp")).State == "failed", "the GP's notice is given up");

        (await LedgerAsync(worker, "gp")).LastError.ShouldNotBeNull().ShouldStartWith("Gave up: retries ran out");
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'massh-undelivered:gp'")).ShouldBe(1);
        await worker.WaitUntilAsync(
            () => Task.FromResult(worker.Get<JobStorage>().GetConnection().GetJobData(gpJob)?.State == "Failed"), "the job stays Failed on the dashboard");
        using var http = new HttpClient { BaseAddress = worker.BaseAddress };
        var ready = await http.GetStringAsync("/health/ready");
        ready.ShouldContain("1 notifications failed in the last 24 hours");
    }

    [Fact]
    public async Task ARetryingDeliveryJobDeletedOnTheDashboard_FailsItsRow_AndTheMasshIsTold()
    {
        var closedPort = MailDevFixture.FreePort();
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail, settings =>
            settings["Mail:Smtp:Port"] = closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        _feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'gp' AND job_id IS NOT NULL AND attempts > 0") == 1,
            "the GP's notice is retrying in its own job");
        var gpJob = await worker.QueryScalarAsync<string>("SELECT job_id FROM stepupdown.notifications WHERE recipient_role = 'gp'");

        worker.Get<IBackgroundJobClient>().Delete(gpJob).ShouldBeTrue();

        await worker.WaitUntilAsync(async () => (await LedgerAsync(worker, "gp")).State == "failed", "the GP's notice is given up, not stranded pending");
        (await LedgerAsync(worker, "gp")).LastError.ShouldNotBeNull().ShouldStartWith("Gave up: its delivery job was deleted on the dashboard");
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'massh-undelivered:gp'")).ShouldBe(1);
    }

    [Fact]
    public async Task AnAddressWithABlankAroundIt_IsRefusedAtOnce_NotRetriedForHours()
    {
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail);
        await mail.ClearAsync();
        var after = Children.Record("SC-1", "CP", 2);
        after["leadProfessional"] = new { id = "p2", name = "Alan Turing", email = " alan.turing@council.example" };
        _feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        _feed.ServePage("c1", "c2", after);
        await worker.PollAsync();
        await worker.PollAsync();

        await worker.WaitUntilAsync(async () => (await LedgerAsync(worker, "lead-professional")).State == "failed", "the lead's notice fails");

        var lead = await LedgerAsync(worker, "lead-professional");
        (lead.Attempts, lead.LastError).ShouldBe((1, "The lead-professional's email address is not a valid address."));
        await worker.WaitForLedgerSettledAsync();
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'massh-undelivered:lead-professional' AND state = 'sent'"))
            .ShouldBe(1);
    }

    public void Dispose() => _feed.Dispose();
}
