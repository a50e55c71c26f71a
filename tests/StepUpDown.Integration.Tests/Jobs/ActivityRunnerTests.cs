using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StepUpDown.Integration.Jobs;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Jobs;

/// <summary>
/// The one in-process loop that source polls and mailbox reads share: nudges coalesce and are
/// each followed by a run that starts after them, a peer's hold is asked about again soon, a
/// failure waits a whole interval and is logged by its type only, and the host's stop ends it.
/// </summary>
public sealed class ActivityRunnerTests : IAsyncDisposable
{
    private static readonly TimeSpan AnHour = TimeSpan.FromHours(1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CapturedLog _log = new();
    private readonly ConcurrentQueue<RunTrigger> _runs = new();
    private Task _running = Task.CompletedTask;

    private ActivityRunner Start(ActivitySchedule schedule, Func<int, Task<RunOutcome>> run)
    {
        var runner = new ActivityRunner("test activity", schedule, async (trigger, _) =>
        {
            _runs.Enqueue(trigger);
            return await run(_runs.Count);
        }, _log);
        _running = runner.RunAsync(_stopping.Token);
        return runner;
    }

    [Fact]
    public async Task ManyNudgesDuringARun_AreFollowedByOneRunMore_ThatStartsAfterThem()
    {
        var release = new TaskCompletionSource();
        var runner = Start(new ActivitySchedule(Interval: null), async count =>
        {
            if (count == 1)
            {
                await release.Task;
            }

            return RunOutcome.Done;
        });

        runner.Nudge();
        await Wait.UntilAsync(() => _runs.Count == 1, "the first run has started");
        for (var i = 0; i < 50; i++)
        {
            runner.Nudge();
        }

        release.SetResult();
        await Wait.UntilAsync(() => _runs.Count == 2 && !runner.IsBusy, "the run after the nudges has ended");

        _runs.ToArray().ShouldBe([RunTrigger.Nudge, RunTrigger.Nudge], "a nudge-only activity runs when nudged, and 50 nudges in one run's time make one run");
        runner.Nudge();
        await Wait.UntilAsync(() => _runs.Count == 3, "a later nudge runs it again");
    }

    [Fact]
    public async Task ARunAPeerHolds_IsAskedForAgainAfterThePeerTurn_NotTheInterval()
    {
        Start(new ActivitySchedule(AnHour, RunAtStart: true, PeerTurn: TimeSpan.FromMilliseconds(20)),
            count => Task.FromResult(count < 3 ? RunOutcome.PeerHolds : RunOutcome.Done));

        await Wait.UntilAsync(() => _runs.Count == 3, "asked twice more while the peer held it");

        _runs.ShouldAllBe(trigger => trigger == RunTrigger.Schedule);
    }

    [Fact]
    public async Task ARunThatThrows_IsLoggedByItsTypeOnly_AndTheNextWaitsTheInterval_UnlessNudged()
    {
        var runner = Start(new ActivitySchedule(AnHour, RunAtStart: true),
            count => count == 1 ? throw new InvalidOperationException("refused for jo.bloggs@example.org") : Task.FromResult(RunOutcome.Done));

        await Wait.UntilAsync(() => !_log.Entries.IsEmpty, "the failure is logged");
        var logged = _log.Entries.Single();
        logged.ShouldContain(nameof(InvalidOperationException));
        logged.ShouldNotContain("jo.bloggs", Case.Insensitive, "a server's words may quote an address");
        _runs.Count.ShouldBe(1, "an hour's interval has not passed");

        runner.Nudge();
        await Wait.UntilAsync(() => _runs.Count == 2, "a nudge runs it at once");
    }

    [Fact]
    public async Task AWaitForWorkThatFails_IsAFailureOfTheActivity_AndTheLoopGoesOn()
    {
        var waits = 0;
        Start(
            new ActivitySchedule(TimeSpan.FromMilliseconds(20), RunAtStart: true, WaitForWork: (_, _) =>
                Interlocked.Increment(ref waits) == 1 ? Task.FromException(new IOException("connection reset")) : Task.CompletedTask),
            _ => Task.FromResult(RunOutcome.Done));

        await Wait.UntilAsync(() => _runs.Count >= 3, "it ran on after the failed wait");

        _log.Entries.ShouldContain(entry => entry.Contains(nameof(IOException), StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheHostsStop_EndsTheLoop_WhileItWaits()
    {
        Start(new ActivitySchedule(AnHour, RunAtStart: true), _ => Task.FromResult(RunOutcome.Done));
        await Wait.UntilAsync(() => _runs.Count == 1, "the run at start");

        await _stopping.CancelAsync();

        await _running.WaitAsync(TimeSpan.FromSeconds(30));
        _running.IsCompletedSuccessfully.ShouldBeTrue();
        _log.Entries.ShouldBeEmpty("a stop is not a failure");
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _running;
        _stopping.Dispose();
    }

    /// <summary>The log's messages as written.</summary>
    private sealed class CapturedLog : ILogger
    {
        public ConcurrentQueue<string> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception));
    }
}
