using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Notifications;

/// <summary>No notice ends silently: a notice given up is failed in the ledger and the MASSH is told (retries running out: <c>SmtpFailureTests</c>).</summary>
[Collection(IntegrationCollection.Name)]
public sealed class GiveUpTests(PostgresFixture postgres, MailDevFixture mail) : IDisposable
{
    private readonly FeedServer _feed = new();

    private static async Task<(string State, int Attempts, string? LastError)> LedgerAsync(WorkerHarness worker, string role) =>
        (await worker.QueryAsync<(string, int, string?)>(
            "SELECT state, attempts, last_error FROM stepupdown.notifications WHERE recipient_role = @role", new { role })).Single();

    /// <summary>An admin gives up a notice waiting for the relay (its recipient was told by phone): it is failed, and the MASSH told, as when its retries run out.</summary>
    [Fact]
    public async Task AWaitingNoticeGivenUpOnTheDashboard_IsFailed_AndTheMasshIsTold()
    {
        var closedPort = MailDevFixture.FreePort();
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail,
            settings => settings["Mail:Smtp:Port"] = closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        _feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'gp' AND next_attempt_at > now()") == 1,
            "the GP's notice waits for the relay");
        var gp = await worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp'");

        var given = await worker.Get<NotificationLedger>().GiveUpNowAsync(gp, "adam", worker.Get<NotificationPlanner>().Undelivered);
        var again = await worker.Get<NotificationLedger>().GiveUpNowAsync(gp, "adam", worker.Get<NotificationPlanner>().Undelivered);

        (given, again).ShouldBe((true, false), "only a waiting notice is given up, once");
        var row = (await worker.QueryAsync<(string State, string LastError, string Action, string ActionBy, DateTime? NextAttemptAt)>(
            "SELECT state, last_error, action, action_by, next_attempt_at FROM stepupdown.notifications WHERE id = @gp", new { gp })).Single();
        (row.State, row.Action, row.ActionBy, row.NextAttemptAt).ShouldBe(("failed", "given up", "adam", null));
        row.LastError.ShouldStartWith("Given up on the dashboard. Last: ");
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'massh-undelivered:gp'")).ShouldBe(1);
        (await worker.Get<NotificationLedger>().RetryNowAsync(gp, "adam")).ShouldBeTrue("a failed notice may be retried");
        (await worker.QueryScalarAsync<int>("SELECT attempts FROM stepupdown.notifications WHERE id = @gp", new { gp })).ShouldBeLessThanOrEqualTo(1, "its retries start afresh");
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
