using System.Diagnostics;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Chaos;

/// <summary>
/// kill -9 of a worker process in the middle of a burst: a restarted worker (or a live peer)
/// delivers every notice the dead one held within a minute, each once, with its own Message-Id.
/// The killed worker is the real published program in a process of its own.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class KillTests(PostgresFixture postgres, MailDevFixture mail, Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const int Children = 20;
    private readonly FeedServer _feed = new();

    [Theory]
    [InlineData(false)] // a worker started after the kill
    [InlineData(true)] // a peer already running beside it, which must leave the live worker's claims alone
    public async Task KilledMidBurst_TheNextWorkerDeliversEveryNoticeWithinAMinute_EachOnceWithItsMessageId(bool livePeer)
    {
        await mail.ClearAsync();
        var database = await postgres.CreateDatabaseAsync();
        Burst.Serve(_feed, Children);

        // The first worker polls every second and sends through a relay that takes the message and never answers.
        using var hangingRelay = new HangingRelay();
        var logPath = Path.Combine(Path.GetTempPath(), $"sud-killed-{Guid.NewGuid():N}.txt");
        using var doomed = WorkerProcess.Start(Burst.SendingThrough(hangingRelay, database, _feed, mail, logPath));
        var ledger = new LedgerProbe(database, 2 * Children);
        await ledger.WaitUntilAsync(
            "the burst is claimed by the first worker, and some of it is being sent",
            "SELECT count(*) FILTER (WHERE claimed_by IS NOT NULL) = @total AND count(*) FILTER (WHERE state = 'sending') > 0 FROM stepupdown.notifications",
            TimeSpan.FromSeconds(90));

        var peer = livePeer ? await WorkerHarness.StartAsync(database, _feed.Url, mail) : null;
        if (peer is not null)
        {
            // The peer's own dispatch has run and found nothing it may take: the live worker holds it all.
            await peer.InScopeAsync<StepUpDown.Integration.Notifications.DispatchNotificationsJob, bool>(async job =>
            {
                await job.ExecuteAsync(CancellationToken.None);
                return true;
            });
            (await peer.QueryScalarAsync<long>("SELECT count(*) FILTER (WHERE state = 'sent') + count(DISTINCT claimed_by) - 1 FROM stepupdown.notifications"))
                .ShouldBe(0, "the live worker's claims are its own: the peer sent and took nothing");
        }

        doomed.Kill();
        var killedAt = Stopwatch.StartNew();
        await using var next = peer ?? await WorkerHarness.StartAsync(database, _feed.Url, mail);
        await ledger.WaitUntilAsync(
            "every notice is sent", "SELECT count(*) FILTER (WHERE state = 'sent') = @total FROM stepupdown.notifications", TimeSpan.FromSeconds(90));
        var tookOver = killedAt.Elapsed;

        output.WriteLine($"Every notice sent {tookOver.TotalSeconds:N1} s after the kill ({(livePeer ? "a live peer" : "a restarted worker")}).");
        tookOver.ShouldBeLessThan(TimeSpan.FromSeconds(60), "take-over within a minute of the kill");
        var sentIds = (await next.QueryAsync<string>("SELECT message_id FROM stepupdown.notifications")).Select(id => $"<{id}>").ToArray();

        // Once the worker has stopped nothing more can be sent, and the sink stores a message before
        // it accepts it: what it holds now is everything delivered, late duplicates included.
        await next.StopAndReadLogAsync();
        var received = await mail.GetMessagesAsync();
        received.Select(m => m.Header("message-id")).ShouldBe(
            sentIds, ignoreOrder: true, $"each notice once, with the ledger's own Message-Id; received {string.Join(" ", received.Select(m => $"{m.Header("message-id")}:{m.To[0].Address}"))}");
        File.Delete(logPath);
    }

    public void Dispose() => _feed.Dispose();
}
