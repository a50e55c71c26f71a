using Dapper;
using Npgsql;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Tests.Fixtures;
using WireMock.ResponseBuilders;

namespace StepUpDown.Integration.Tests.Chaos;

/// <summary>
/// An instance that hangs without dying (a paused VM, a frozen process) keeps its database
/// sessions open: PostgreSQL would keep its locks for hours. With <c>Database:Sessions</c>, a
/// session that falls silent is ended after <c>HungAfter</c>, so its source lock or detection lock
/// is free for a live peer, and what the hung instance was doing on it can no longer commit.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class HungInstanceTests(PostgresFixture postgres, MailDevFixture mail) : IDisposable
{
    private const int Children = 5;
    private const string HungAfter = "00:00:06";
    private readonly FeedServer _feed = new();

    private static void Hurried(Dictionary<string, string?> settings)
    {
        settings["Database:Sessions:HungAfter"] = HungAfter;
        settings["Database:Sessions:KeepAlive"] = "00:00:02";
    }

    private static void EverySecond(Dictionary<string, string?> settings)
    {
        Hurried(settings);
        settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:PollCron"] = "* * * * * *";
    }

    [Fact]
    public async Task AnInstanceFrozenMidPoll_HoldsItsSourceNoLongerThanHungAfter_ItsPeerTellsEveryChangeOnce_AndNoPageIsLost()
    {
        await mail.ClearAsync();
        var database = await postgres.CreateDatabaseAsync();
        _feed.ServePage(null, "c1", Enumerable.Range(1, Children).Select(i => (object)Fixtures.Children.Record($"SC-{i}", "EH", 1, nhsNumber: Fixtures.Children.NhsNumberFor(i))).ToArray());
        // The changed page takes a while to arrive: the instance waits for it holding the source's lock, its session idle.
        _feed.Serve("c1", Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(15)).WithBodyAsJson(new
        {
            items = Enumerable.Range(1, Children).Select(i => Fixtures.Children.Record($"SC-{i}", "CP", 2, nhsNumber: Fixtures.Children.NhsNumberFor(i))).ToArray(),
            nextCursor = "c2",
            hasMore = false,
        }));
        _feed.ServePage("c2", "c2");
        var settings = WorkerHarness.Settings(database, _feed.Url, mail, Path.Combine(Path.GetTempPath(), $"sud-hung-{Guid.NewGuid():N}.txt"));
        EverySecond(settings);
        using var frozen = WorkerProcess.Start(settings);
        var ledger = new LedgerProbe(database, 2 * Children);
        await ledger.WaitUntilAsync("the instance adopted the baseline", "SELECT EXISTS (SELECT 1 FROM stepupdown.source_cursors WHERE cursor = 'c1')", TimeSpan.FromSeconds(90));
        await ledger.WaitUntilAsync(
            "the instance holds the source's lock on an idle session, waiting for the page (no transaction open: only HungAfter frees it)",
            "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.state = 'idle')",
            TimeSpan.FromSeconds(14));
        frozen.Pause();
        await using (var peer = await WorkerHarness.StartAsync(database, _feed.Url, mail, EverySecond))
        {
            // The design's target: a live peer polls and tells every change within 90 s of its peer freezing.
            await ledger.WaitUntilAsync("the peer told every change", "SELECT count(*) FILTER (WHERE state = 'sent') = @total FROM stepupdown.notifications", TimeSpan.FromSeconds(90));
        }

        var readsAfter = RequestsFor("c2");
        frozen.Resume();
        await WaitForRequestAsync("c2", readsAfter + 1); // the resumed instance's write failed with its session; it reads on from the stored cursor

        (await QueryAsync<string>(database, "SELECT cursor FROM stepupdown.source_cursors")).ShouldBe(["c2"]);
        (await QueryAsync<long>(database, "SELECT count(*) FROM stepupdown.steps WHERE kind = 'StepUp'")).ShouldBe([Children], "the page is written once, none lost");
        await ledger.WaitUntilAsync("nothing waits", "SELECT count(*) FILTER (WHERE state IN ('pending', 'sending')) = 0 FROM stepupdown.notifications", TimeSpan.FromSeconds(30));
        var received = await mail.GetMessagesAsync();
        received.Count.ShouldBe(2 * Children, "each notice once");
        received.Select(m => m.Header("message-id")).Distinct().Count().ShouldBe(2 * Children);
    }

    [Fact]
    public async Task ASessionThatFallsSilentInsideAPageWrite_HoldsTheDetectionLockNoLongerThanHungAfter()
    {
        await mail.ClearAsync();
        var database = await postgres.CreateDatabaseAsync();
        _feed.ServePage(null, "c1", Fixtures.Children.Record("SC-1", "EH", 1));
        _feed.ServePage("c1", "c2", Fixtures.Children.Record("SC-1", "CP", 2));
        await using var worker = await WorkerHarness.StartAsync(database, _feed.Url, mail, Hurried);
        await worker.PollAsync();
        // A frozen instance's session as the server sees it: inside a page write, holding the detection lock, silent.
        var silent = new NpgsqlConnectionStringBuilder(new DatabaseSessionOptions { HungAfter = TimeSpan.Parse(HungAfter, System.Globalization.CultureInfo.InvariantCulture) }.Apply(database))
        {
            KeepAlive = 0,
        };
        await using var frozen = new NpgsqlConnection(silent.ConnectionString);
        await frozen.OpenAsync();
        var transaction = await frozen.BeginTransactionAsync();
        await frozen.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = 0x5354_4550_5550_0002 }, transaction);

        var result = await worker.PollAsync();

        result.Steps.ShouldBe(1, "the page was written once the silent session was ended");
        await Should.ThrowAsync<NpgsqlException>(() => frozen.ExecuteAsync("SELECT 1", transaction: transaction), "the server ended it: nothing it did can commit");
    }

    private int RequestsFor(string since) =>
        _feed.Server.LogEntries.Count(e => e.RequestMessage.Query?.TryGetValue("since", out var value) == true && value.Contains(since));

    private async Task WaitForRequestAsync(string since, int count)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (RequestsFor(since) < count)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"Timed out waiting for request {count} of the page after {since}.");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        return (await connection.QueryAsync<T>(sql)).AsList();
    }

    public void Dispose() => _feed.Dispose();
}
