using Microsoft.Extensions.Logging.Abstractions;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Tests.Fixtures;
using WireMock.ResponseBuilders;

namespace StepUpDown.Integration.Tests.Chaos;

/// <summary>PostgreSQL restarted in the middle of a poll: nothing detected is lost, nothing is told twice.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class DatabaseRestartTests(MailDevFixture mail) : IDisposable
{
    private const int PerPage = 5;
    private readonly FeedServer _feed = new();
    private readonly string _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"sud-r-{Guid.NewGuid():N}"[..14])).FullName;

    private static object[] StepUps(int from) =>
        Enumerable.Range(from, PerPage).Select(i => (object)Children.Record($"SC-{i}", "CP", 2, nhsNumber: Children.NhsNumberFor(i))).ToArray();

    private Task<EmbeddedPostgres> StartClusterAsync() =>
        EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = Path.Combine(_root, "data") }, NullLogger.Instance, CancellationToken.None);

    [Fact]
    public async Task RestartedBetweenTwoPagesOfAPoll_TheNextPollResumesFromTheLastCommittedPage_EachStepToldOnce()
    {
        await mail.ClearAsync();
        var cluster = await StartClusterAsync();
        var worker = await WorkerHarness.StartAsync(cluster.ConnectionString, _feed.Url, mail);
        try
        {
            await RestartMidPollAsync(worker, () => cluster.DisposeAsync().AsTask(), async () => cluster = await StartClusterAsync());
        }
        finally
        {
            await worker.DisposeAsync();
            await cluster.DisposeAsync();
        }
    }

    private async Task RestartMidPollAsync(WorkerHarness worker, Func<Task> stop, Func<Task> start)
    {
        _feed.ServePage(null, "c1", Enumerable.Range(1, 2 * PerPage).Select(i => (object)Children.Record($"SC-{i}", "EH", 1, nhsNumber: Children.NhsNumberFor(i))).ToArray());
        await worker.PollAsync();
        _feed.ServePageWithMore("c1", "c2", StepUps(1));
        _feed.Serve("c2", Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(4))
            .WithBodyAsJson(new { items = StepUps(PerPage + 1), nextCursor = "c3", hasMore = false }));

        var interrupted = worker.PollAsync();
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<string?>("SELECT cursor FROM stepupdown.source_cursors") == "c2", "the first page is committed");
        await stop(); // while the second page is on its way
        await start();
        Npgsql.NpgsqlConnection.ClearAllPools(); // the test's own connections; the worker must cope with its own
        await Should.ThrowAsync<Exception>(() => interrupted);

        await worker.WaitUntilAsync(async () =>
        {
            try
            {
                await worker.PollAsync();
                return true;
            }
            catch (Npgsql.NpgsqlException)
            {
                return false; // a pooled connection from before the restart: the next try gets a new one
            }
        }, "a poll succeeds on the restarted database");

        (await worker.QueryScalarAsync<string>("SELECT cursor FROM stepupdown.source_cursors")).ShouldBe("c3");
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.steps WHERE kind = 'StepUp'")).ShouldBe(2 * PerPage);
        await worker.WaitForLedgerSettledAsync();
        var received = await mail.WaitForMessagesAsync(4 * PerPage);
        var ledger = (await worker.QueryAsync<string>("SELECT message_id FROM stepupdown.notifications WHERE state = 'sent'")).Select(id => $"<{id}>").ToArray();
        ledger.Length.ShouldBe(4 * PerPage, "the GP and the MASSH of each step up");
        // A message the relay took while the database was down could not be recorded as sent: it is
        // sent again with its own Message-Id (a copy the recipient's system recognises), never a new one.
        received.Select(m => m.Header("message-id")).Distinct().ShouldBe(ledger, ignoreOrder: true);
    }

    public void Dispose()
    {
        _feed.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
