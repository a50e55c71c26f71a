using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Chaos;

/// <summary>
/// An instance paused past its lease in the middle of a send (SIGSTOP, as a VM or GC pause does)
/// while a peer takes its notices over and delivers them; then resumed, its relay answering
/// 451 at last. Ownership is fenced: the paused one overwrites none of the peer's `sent`, so
/// nothing is sent a third time. The paused worker is the real published program in a process of its own.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class PauseTests(PostgresFixture postgres, MailDevFixture mail) : IDisposable
{
    private const int Children = 5;
    private readonly FeedServer _feed = new();

    [Fact]
    public async Task PausedMidSendPastItsLease_ThenResumed_OverwritesNoneOfThePeersWork()
    {
        await mail.ClearAsync();
        var database = await postgres.CreateDatabaseAsync();
        Burst.Serve(_feed, Children);
        using var relay = new HangingRelay();
        var logPath = Path.Combine(Path.GetTempPath(), $"sud-paused-{Guid.NewGuid():N}.txt");
        using var paused = WorkerProcess.Start(Burst.SendingThrough(relay, database, _feed, mail, logPath));
        var ledger = new LedgerProbe(database, 2 * Children);
        await ledger.WaitUntilAsync(
            "the first worker is in the middle of sending", "SELECT count(*) FILTER (WHERE state = 'sending') > 0 FROM stepupdown.notifications", TimeSpan.FromSeconds(90));
        await Wait.UntilAsync(() => relay.Held > 0, "the relay holds a message's data", TimeSpan.FromSeconds(60));

        paused.Pause();
        await using (var peer = await WorkerHarness.StartAsync(database, _feed.Url, mail))
        {
            await ledger.WaitUntilAsync(
                "the peer, once the paused worker's lease lapsed, sent every notice",
                "SELECT count(*) FILTER (WHERE state = 'sent') = @total FROM stepupdown.notifications", TimeSpan.FromSeconds(90));
            await peer.StopAndReadLogAsync();
        }

        var held = relay.Held;
        relay.DeferAll();
        paused.Resume();
        await Wait.UntilAsync(() => relay.Deferred >= held, "the resumed worker's sends are answered 451", TimeSpan.FromSeconds(60));
        await Wait.UntilAsync(
            () => File.Exists(logPath) && ReadShared(logPath).Contains("a peer took the row over while this attempt was paused", StringComparison.Ordinal),
            "the resumed worker sees its rows were taken over",
            TimeSpan.FromSeconds(60));
        paused.Kill();

        await ledger.WaitUntilAsync("every notice is still sent", "SELECT count(*) FILTER (WHERE state = 'sent') = @total FROM stepupdown.notifications", TimeSpan.FromSeconds(5));
        var received = await mail.GetMessagesAsync();
        received.Count.ShouldBe(2 * Children, "each notice once at the sink: the peer's copy, none sent a third time");
        received.Select(m => m.Header("message-id")).Distinct().Count().ShouldBe(2 * Children);
        File.Delete(logPath);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public void Dispose() => _feed.Dispose();
}
