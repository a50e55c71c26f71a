using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Notifications;

[Collection(IntegrationCollection.Name)]
public sealed class GpNotificationTests(PostgresFixture postgres, MailDevFixture mail) : IAsyncLifetime
{
    private readonly FeedServer _feed = new();
    private WorkerHarness _worker = null!;

    public async Task InitializeAsync()
    {
        await mail.ClearAsync();
        _worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail);
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        _feed.Dispose();
    }

    /// <summary>Baseline at early help, then a step up to child protection: returns the GP notification's id.</summary>
    private async Task<Guid> StepUpAsync(Dictionary<string, object?> stepped)
    {
        _feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        _feed.ServePage("c1", "c2", stepped);
        await _worker.PollAsync();
        await _worker.PollAsync();
        return await _worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp'");
    }

    private async Task<IReadOnlyList<ReceivedMail>> GpMessagesAsync() =>
        (await mail.GetMessagesAsync()).Where(m => m.To.Any(t => t.Address == "riverside.practice@nhs.example")).ToList();

    private Task WaitForStateAsync(Guid id, string state) =>
        _worker.WaitUntilAsync(
            async () => await _worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @id", new { id }) == state,
            $"notification is {state}");

    private Task<bool> RunJobAgainAsync(Guid id) =>
        _worker.InScopeAsync<SendNotificationJob, bool>(async job =>
        {
            await job.ExecuteAsync(id, CancellationToken.None);
            return true;
        });

    [Fact]
    public async Task Job_RunAgainAfterSending_SendsNoSecondCopy_AndTheMessageIdIsTheLedgers()
    {
        var id = await StepUpAsync(Children.Record("SC-1", "CP", 2));
        await WaitForStateAsync(id, "sent");

        await RunJobAgainAsync(id);
        await Task.Delay(1000);

        var message = (await GpMessagesAsync()).ShouldHaveSingleItem();
        var ledgerMessageId = await _worker.QueryScalarAsync<string>("SELECT message_id FROM stepupdown.notifications WHERE id = @id", new { id });
        message.Header("message-id").ShouldBe($"<{ledgerMessageId}>");
        ledgerMessageId.ShouldStartWith(id.ToString("N"));
        (await _worker.QueryScalarAsync<int>("SELECT attempts FROM stepupdown.notifications WHERE id = @id", new { id })).ShouldBe(1);
    }

    [Fact]
    public async Task ChildWithInvalidNhsNumber_TheGpIsNotWrittenTo_AndTheMasshIsAskedToResolveTheMatch()
    {
        await StepUpAsync(Children.Record("SC-1", "CP", 2, nhsNumber: "9434765918"));
        var match = await _worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'massh-nhs-match'");

        await WaitForStateAsync(match, "sent");

        (await _worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'gp'")).ShouldBe(0);
        (await GpMessagesAsync()).ShouldBeEmpty();
        var messages = await mail.WaitForMessagesAsync(2);
        var notice = messages.Single(m => m.Subject.StartsWith("GP not notified", StringComparison.Ordinal));
        notice.To.ShouldHaveSingleItem().Address.ShouldBe("massh@example-council.gov.uk");
        notice.Text.ShouldNotBeNull().ShouldContain("fails the NHS number check");
    }

    [Fact]
    public async Task Job_PracticeNotInTheGpDirectory_FailsAtOnceWithoutRetries_VisibleInHangfire()
    {
        var id = await StepUpAsync(Children.Record("SC-1", "CP", 2, odsCode: "Z99999"));

        await WaitForStateAsync(id, "failed");

        await _worker.WaitUntilAsync(
            async () => await _worker.QueryScalarAsync<string?>("SELECT statename FROM hangfire.job WHERE arguments::text LIKE @id", new { id = $"%{id}%" }) == "Failed",
            "the Hangfire job is Failed");
        (await _worker.QueryScalarAsync<string>("SELECT last_error FROM stepupdown.notifications WHERE id = @id", new { id }))
            .ShouldContain("Z99999");
        (await _worker.QueryScalarAsync<int>("SELECT attempts FROM stepupdown.notifications WHERE id = @id", new { id })).ShouldBe(1);
        (await GpMessagesAsync()).ShouldBeEmpty();
        var toMassh = (await mail.WaitForMessagesAsync(2)).Where(m => m.Subject.StartsWith("Could not notify the gp", StringComparison.Ordinal)).ToList();
        toMassh.ShouldHaveSingleItem().Text.ShouldNotBeNull().ShouldContain("(ODS code 'Z99999')");
    }

    [Fact]
    public async Task Job_LongNonAsciiPlanSummary_ArrivesWhole_AndEncodedInHtml()
    {
        var summary = string.Concat(Enumerable.Repeat("Zoë's family <plan> — “weekly” visits; 学校 support. ", 200));
        var stepped = Children.Record("SC-1", "CP", 2);
        stepped["plan"] = new { type = "cp", startedOn = "2026-11-02", summary };
        var id = await StepUpAsync(stepped);
        await WaitForStateAsync(id, "sent");

        var message = (await GpMessagesAsync()).ShouldHaveSingleItem();

        message.Text.ShouldNotBeNull().ShouldContain(summary.Trim());
        message.Html.ShouldNotBeNull().ShouldContain("&lt;plan&gt;");
        message.Html.ShouldNotContain("<plan>");
        System.Net.WebUtility.HtmlDecode(message.Html).ShouldContain(summary.Trim());
    }
}
