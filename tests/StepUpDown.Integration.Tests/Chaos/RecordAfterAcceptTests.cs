using Dapper;
using Npgsql;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Simulator;

namespace StepUpDown.Integration.Tests.Chaos;

/// <summary>
/// The database connection cut right after the relay accepted a notice (a failover, a reset):
/// the acceptance is recorded once the database answers again, and the notice is not sent again.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RecordAfterAcceptTests(PostgresFixture postgres, MailDevFixture mail) : IDisposable
{
    private readonly FeedServer _feed = new();

    [Fact]
    public async Task TheConnectionCutAsTheRelayAccepts_IsRecordedAsSent_NotSentAgain()
    {
        var database = await postgres.CreateDatabaseAsync();
        var received = new System.Collections.Concurrent.ConcurrentBag<string>();
        var cut = 0;
        var port = MailDevFixture.FreePort();
        await using var relay = LoopbackSmtpRelay.Start(port, async (message, _) =>
        {
            if (Interlocked.Exchange(ref cut, 1) == 0)
            {
                // Every session of the worker's database ends before the relay says 250: the attempt's own included.
                await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
                await admin.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
            }

            received.Add(LoopbackSmtpRelay.MessageIdOf(message) ?? "");
        });
        await using var worker = await WorkerHarness.StartAsync(database, _feed.Url, mail, settings =>
            settings["Mail:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        _feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();

        await worker.WaitUntilAsync(
            async () =>
            {
                try
                {
                    return await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state <> 'sent'") == 0;
                }
                catch (NpgsqlException)
                {
                    return false; // the test's own pooled connection was cut too
                }
            },
            "both notices recorded as sent");
        var log = await worker.StopAndReadLogAsync();

        cut.ShouldBe(1);
        var warnings = string.Join("\n", log.Split('\n').Where(line => line.Contains("[WRN]", StringComparison.Ordinal) || line.Contains("[ERR]", StringComparison.Ordinal)));
        log.ShouldContain("was accepted by the relay but could not be recorded", customMessage: $"the cut reached the attempt that had just been accepted. Warnings: {warnings}");
        received.Count.ShouldBe(2, $"each notice once: {string.Join(" ", received)}");
        received.Distinct().Count().ShouldBe(2);
    }

    public void Dispose() => _feed.Dispose();
}
