using StepUpDown.Integration.Tests.Fixtures;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static StepUpDown.Integration.Tests.SsdFeed.SsdFeedServer;

namespace StepUpDown.Integration.Tests.SsdFeed;

/// <summary>The feed nudges the worker after a refresh that found changes, and only then; a nudge that fails changes nothing served.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class SsdFeedNudgeTests(PostgresFixture postgres)
{
    private const string NudgeKey = "worker-nudge-key-0001";

    [Fact]
    public async Task ARefreshThatFoundChanges_NudgesTheWorker_AnUnchangedOneDoesNot()
    {
        using var worker = WireMockServer.Start();
        worker.Given(Request.Create().WithPath("/api/v1/sources/ssd/nudge").UsingPost().WithHeader("X-Api-Key", NudgeKey))
            .RespondWith(Response.Create().WithStatusCode(202));
        await using var feed = await StartAsync(postgres, SsdFeedTests.County(), settings =>
        {
            settings["SsdFeed:Nudge:Url"] = worker.Url + "/api/v1/sources/ssd/nudge";
            settings["SsdFeed:Nudge:ApiKey"] = NudgeKey;
        });
        // The first refresh served every person: its nudge follows the log's commit, so wait for it.
        await Wait.UntilAsync(() => Task.FromResult(worker.LogEntries.Any()), "the first refresh's nudge has arrived");

        var afterStart = worker.LogEntries.Count();

        await feed.RefreshAsync();
        var afterUnchanged = worker.LogEntries.Count();
        await feed.ExecuteAsync($"INSERT INTO ssd.ssd_cin_episodes VALUES ('R-9', 'EH-7', {DaysAgo(3)}, NULL, NULL, 'N', 'T-1', 'W-1')");
        await feed.RefreshAsync();

        afterStart.ShouldBe(1);
        afterUnchanged.ShouldBe(1);
        worker.LogEntries.Count().ShouldBe(2);
        worker.LogEntries.ShouldAllBe(e => e.ResponseMessage.StatusCode!.ToString() == "202");
    }

    [Fact]
    public async Task ANudgeThatCannotReachTheWorker_LeavesTheRefreshServed()
    {
        await using var feed = await StartAsync(postgres, SsdFeedTests.County(), settings =>
        {
            settings["SsdFeed:Nudge:Url"] = "http://127.0.0.1:9/api/v1/sources/ssd/nudge";
            settings["SsdFeed:Nudge:ApiKey"] = NudgeKey;
        });

        await feed.ExecuteAsync($"INSERT INTO ssd.ssd_cin_episodes VALUES ('R-9', 'EH-7', {DaysAgo(3)}, NULL, NULL, 'N', 'T-1', 'W-1')");
        var refresh = await feed.RefreshAsync();
        var (items, _) = await feed.ReadAllAsync();

        refresh.Outcome.ShouldBe(StepUpDown.SsdFeed.ChangeLog.RefreshRecord.Served);
        items.Single(i => i.GetProperty("childId").GetString() == "EH-7").GetProperty("levelOfNeed").GetString().ShouldBe("CIN");
    }
}
