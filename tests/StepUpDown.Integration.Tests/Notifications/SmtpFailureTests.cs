using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Notifications;

[Collection(IntegrationCollection.Name)]
public sealed class SmtpFailureTests(PostgresFixture postgres, MailDevFixture mail) : IDisposable
{
    private readonly FeedServer _feed = new();

    private static async Task<Guid> StepUpAsync(WorkerHarness worker, FeedServer feed)
    {
        feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();
        return await worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp'");
    }

    private static async Task<(string State, int Attempts, string? LastError)> LedgerAsync(WorkerHarness worker, Guid id) =>
        (await worker.QueryAsync<(string, int, string?)>(
            "SELECT state, attempts, last_error FROM stepupdown.notifications WHERE id = @id", new { id })).Single();

    [Fact]
    public async Task SmtpDownThenUp_TheRetryDeliversOnce()
    {
        var port = MailDevFixture.FreePort();
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail,
            settings => settings["Mail:Smtp:Port"] = port.ToString());
        var id = await StepUpAsync(worker, _feed);
        await worker.WaitUntilAsync(async () => (await LedgerAsync(worker, id)).Attempts == 1, "the first attempt failed");

        var afterOutage = await LedgerAsync(worker, id);
        await using var sink = new MailDevFixture(port);
        await sink.InitializeAsync();
        await worker.InScopeAsync<SendNotificationJob, bool>(async job =>
        {
            await job.ExecuteAsync(id, CancellationToken.None);
            return true;
        });

        afterOutage.ShouldBe(("pending", 1, "Delivery failed: SocketException"));
        (await LedgerAsync(worker, id)).State.ShouldBe("sent");
        (await sink.GetMessagesAsync()).Count(m => m.To[0].Address == "riverside.practice@nhs.example").ShouldBe(1);
    }

    [Fact]
    public async Task RecipientRefusedWith550_FailsAtOnce_WithoutRetries()
    {
        using var relay = new RejectingSmtpServer();
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail,
            settings => settings["Mail:Smtp:Port"] = relay.Port.ToString());
        var id = await StepUpAsync(worker, _feed);

        await worker.WaitUntilAsync(async () => (await LedgerAsync(worker, id)).State == "failed", "the notification failed");

        (await LedgerAsync(worker, id)).ShouldBe(("failed", 1, "SMTP server refused the message: 550 MailboxUnavailable"));
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<string?>("SELECT statename FROM hangfire.job WHERE arguments::text LIKE @id", new { id = $"%{id}%" }) == "Failed",
            "the Hangfire job is Failed, not scheduled for a retry");
    }

    public void Dispose() => _feed.Dispose();
}
