using StepUpDown.Integration.Tests.Fixtures;
using WireMock.ResponseBuilders;

namespace StepUpDown.Integration.Tests.Worker;

[Collection(IntegrationCollection.Name)]
public sealed class TwoInstancesTests(PostgresFixture postgres, MailDevFixture mail) : IAsyncLifetime
{
    private readonly FeedServer _feed = new();

    public Task InitializeAsync() => mail.ClearAsync();

    public Task DisposeAsync()
    {
        _feed.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TwoWorkersOnOneDatabase_PollOneAtATime_AndRecordEachStepOnce()
    {
        var database = await postgres.CreateDatabaseAsync();
        _feed.ServePage(null, "c1", Enumerable.Range(1, 20).Select(i => (object)Children.Record($"SC-{i}", "EH", 1, nhsNumber: Children.NhsNumberFor(i))).ToArray());
        var changes = Enumerable.Range(1, 20).Select(i => (object)Children.Record($"SC-{i}", "CP", 2, nhsNumber: Children.NhsNumberFor(i))).ToArray();
        _feed.Serve("c1", Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromMilliseconds(500))
            .WithBodyAsJson(new { items = changes, nextCursor = "c2", hasMore = false }));
        _feed.ServePage("c2", "c2");
        await using var one = await WorkerHarness.StartAsync(database, _feed.Url, mail);
        await using var two = await WorkerHarness.StartAsync(database, _feed.Url, mail);
        await one.PollAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? one : two).PollAsync()));

        results.Count(r => !r.Skipped).ShouldBeGreaterThanOrEqualTo(1);
        results.Count(r => r.Skipped).ShouldBeGreaterThanOrEqualTo(1);
        (await one.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.steps WHERE kind = 'StepUp'")).ShouldBe(20);
        (await one.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications")).ShouldBe(40, "the GP and the MASSH for each step up");
        await one.WaitForLedgerSettledAsync();

        // Once both have stopped nothing more can be sent, and the sink stores a message before it
        // accepts it: what it holds now is everything delivered.
        await one.StopAndReadLogAsync();
        await two.StopAndReadLogAsync();
        (await mail.GetMessagesAsync()).Count.ShouldBe(40, "each notice is sent once, by whichever instance ran its job");
    }
}
