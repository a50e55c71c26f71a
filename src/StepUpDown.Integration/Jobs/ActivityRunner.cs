using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace StepUpDown.Integration.Jobs;

/// <summary>Why a run of an activity started.</summary>
public enum RunTrigger
{
    /// <summary>Its schedule: the interval passed, or the work it waits for arrived.</summary>
    Schedule,

    /// <summary>Someone asked for a run now (<see cref="ActivityRunner.Nudge"/>).</summary>
    Nudge,
}

/// <summary>How a run of an activity ended.</summary>
public enum RunOutcome
{
    /// <summary>It ran: the next run comes with the schedule, or a nudge.</summary>
    Done,

    /// <summary>A peer instance holds the activity (its lock): asked for again after <see cref="ActivitySchedule.PeerTurn"/>.</summary>
    PeerHolds,
}

/// <summary>When an activity runs in this instance.</summary>
/// <param name="Interval">The longest wait between runs, and the wait after a failure; null: only when nudged.</param>
/// <param name="RunAtStart">True: the first run is at start; false: after the first interval (or nudge).</param>
/// <param name="PeerTurn">How soon a run a peer held is asked for again; never later than <paramref name="Interval"/>.</param>
/// <param name="WaitForWork">
/// Returns when there is work (a mailbox's IMAP IDLE) or after the time it is given at most; null:
/// the interval alone. A failure of the wait is a failure of the activity.
/// </param>
public sealed record ActivitySchedule(
    TimeSpan? Interval, bool RunAtStart = false, TimeSpan? PeerTurn = null, Func<TimeSpan, CancellationToken, Task>? WaitForWork = null);

/// <summary>
/// Runs one activity in this instance (a source's polls, a mailbox's reads): the one loop they
/// share, not one written for each. It runs on its schedule and at once when nudged. Nudges
/// coalesce: one run in flight and at most one behind it however many arrive, and every nudge is
/// followed by a run that starts after it. A run a peer instance holds is asked for again every
/// <see cref="ActivitySchedule.PeerTurn"/>. A run that throws is logged by the exception's type
/// only (a server's words may quote an address; the recurring job, which fails visibly on the
/// dashboard, has the whole story), and the next waits a whole interval: never a tight loop of
/// logins. <see cref="RunAsync"/> runs it until the host stops.
/// </summary>
/// <param name="activity">What the log calls it ("bounce mailbox", "polls of source X"): no personal data.</param>
/// <param name="schedule">When it runs.</param>
/// <param name="run">One run: told why it started, it says whether a peer held the activity.</param>
/// <param name="logger">The log.</param>
public sealed partial class ActivityRunner(
    string activity, ActivitySchedule schedule, Func<RunTrigger, CancellationToken, Task<RunOutcome>> run, ILogger logger)
{
    /// <summary>What comes before the next run.</summary>
    private enum Wait
    {
        None,
        Schedule,
        PeerTurn,
        AfterFailure,
    }

    /// <summary>Wakes the loop; holds one wake at most (nudges coalesce).</summary>
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _nudged;
    private int _running;

    /// <summary>Asks for a run now: after the one in flight, if there is one.</summary>
    public void Nudge()
    {
        Volatile.Write(ref _nudged, 1);
        _wake.Writer.TryWrite(true);
    }

    /// <summary>True while a run is in flight, or a nudge waits for one.</summary>
    public bool IsBusy => Volatile.Read(ref _running) == 1 || Volatile.Read(ref _nudged) == 1;

    /// <summary>Runs the activity on its schedule and when nudged, until <paramref name="stoppingToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var next = schedule.RunAtStart ? Wait.None : Wait.Schedule;
        try
        {
            while (true)
            {
                try
                {
                    await WaitAsync(next, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogFailed(logger, activity, exception.GetType().Name);
                    next = Wait.AfterFailure;
                    continue;
                }

                next = await RunOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: a run cut short committed all of its work or none of it.
        }
    }

    /// <summary>One run; what comes before the next.</summary>
    private async Task<Wait> RunOnceAsync(CancellationToken stoppingToken)
    {
        Volatile.Write(ref _running, 1);
        _wake.Reader.TryRead(out _);
        var trigger = Interlocked.Exchange(ref _nudged, 0) == 1 ? RunTrigger.Nudge : RunTrigger.Schedule;
        try
        {
            return await run(trigger, stoppingToken) == RunOutcome.PeerHolds ? Wait.PeerTurn : Wait.Schedule;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, activity, exception.GetType().Name);
            return Wait.AfterFailure;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Waits as <paramref name="next"/> says, or until nudged; a nudge that came during the run is not waited for.</summary>
    private async Task WaitAsync(Wait next, CancellationToken stoppingToken)
    {
        if (next == Wait.None || Volatile.Read(ref _nudged) == 1)
        {
            return;
        }

        using var cut = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var nudged = _wake.Reader.WaitToReadAsync(cut.Token).AsTask();
        var waits = WaitFor(next, cut.Token) is { } waiting ? new[] { nudged, waiting } : [nudged];
        var first = await Task.WhenAny(waits);
        await cut.CancelAsync();

        // The other wait, cut short, ends too (an IDLE command is ended, not left on the connection).
        await Task.WhenAll(waits).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        stoppingToken.ThrowIfCancellationRequested();
        await first;
    }

    /// <summary>The wait <paramref name="next"/> stands for, besides a nudge; null when only a nudge ends it.</summary>
    private Task? WaitFor(Wait next, CancellationToken cancellationToken)
    {
        if (schedule.Interval is not { } interval)
        {
            return null;
        }

        return next switch
        {
            Wait.PeerTurn => Task.Delay(schedule.PeerTurn is { } turn && turn < interval ? turn : interval, cancellationToken),
            Wait.Schedule when schedule.WaitForWork is { } waitForWork => waitForWork(interval, cancellationToken),
            _ => Task.Delay(interval, cancellationToken),
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Activity} failed in this instance ({Error}); it runs again at its next turn, and its recurring job is the safety net")]
    private static partial void LogFailed(ILogger logger, string activity, string error);
}
