using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>What became of a nudge.</summary>
public enum NudgeOutcome
{
    /// <summary>A poll of the source starts after this nudge (now, or after the one in flight).</summary>
    Accepted,

    /// <summary>No source of that name is configured.</summary>
    UnknownSource,

    /// <summary>The source nudged more often than <see cref="CaseFeedSourceOptions.NudgesPerSecond"/>.</summary>
    TooMany,
}

/// <summary>
/// Polls a source now when its case system says something changed, so an urgent step up reaches
/// the GP in seconds rather than at the next scheduled poll (which stays as the safety net).
/// Nudges are coalesced per source: one poll in flight and at most one queued behind it, however
/// many arrive; every nudge is followed by a poll that starts after it. The poll runs in this
/// instance and waits for another instance's poll of the source to end, since that one may have
/// read the feed before the change.
/// </summary>
public sealed partial class PollNudges(IServiceScopeFactory scopes, IOptions<CaseFeedOptions> feeds, ILogger<PollNudges> logger) : IHostedService, IDisposable
{
    /// <summary>How long a nudged poll waits for another instance's poll of the source to end.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Nudged> _sources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Asks for a poll of <paramref name="source"/> (any case) now.</summary>
    public NudgeOutcome Nudge(string source)
    {
        var name = feeds.Value.Sources.Keys.FirstOrDefault(key => string.Equals(key, source, StringComparison.OrdinalIgnoreCase));
        if (name is null)
        {
            return NudgeOutcome.UnknownSource;
        }

        var nudged = _sources.GetOrAdd(name, key => new Nudged(feeds.Value.Sources[key].NudgesPerSecond));
        using var lease = nudged.Limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            return NudgeOutcome.TooMany;
        }

        if (Interlocked.Increment(ref nudged.Requested) == 1 && !_stopping.IsCancellationRequested)
        {
            var run = Task.Run(() => PollWhileNudgedAsync(name, nudged));
            _running.TryAdd(run, true);
            run.ContinueWith(done => _running.TryRemove(done, out _), TaskScheduler.Default);
        }

        return NudgeOutcome.Accepted;
    }

    /// <summary>True while a nudged poll of <paramref name="source"/> is in flight or queued.</summary>
    public bool IsPolling(string source) => _sources.TryGetValue(source, out var nudged) && Volatile.Read(ref nudged.Requested) > 0;

    /// <summary>Polls until no nudge arrived during the last poll.</summary>
    private async Task PollWhileNudgedAsync(string source, Nudged nudged)
    {
        long seen;
        do
        {
            seen = Volatile.Read(ref nudged.Requested);
            await PollOnceAsync(source, LockWait, _stopping.Token);
        }
        while (Interlocked.Add(ref nudged.Requested, -seen) > 0 && !_stopping.IsCancellationRequested);
    }

    /// <summary>
    /// One poll of <paramref name="source"/> in a scope of its own, waiting up to
    /// <paramref name="lockWait"/> for another instance's poll of it; a failure is logged, never thrown.
    /// </summary>
    internal async Task PollOnceAsync(string source, TimeSpan lockWait, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<CaseFeedPoller>().PollAsync(source, lockWait, cancellationToken);
            if (result.Skipped && lockWait > TimeSpan.Zero)
            {
                LogStillLocked(logger, source, lockWait);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the scheduled poll reads it on the next start.
        }
        catch (Exception exception)
        {
            // The exception's type only: the scheduled poll fails visibly on the dashboard with the whole story.
            LogFailed(logger, source, exception.GetType().Name);
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Cancels the nudged polls in flight (their pages are committed or not at all) and waits for them.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Dispose();
        foreach (var nudged in _sources.Values)
        {
            nudged.Limiter.Dispose();
        }
    }

    /// <summary>One source's nudges: those not yet followed by a poll's start, and its rate limit.</summary>
    private sealed class Nudged(int perSecond)
    {
        public long Requested;

        public TokenBucketRateLimiter Limiter { get; } = new(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {Source} was nudged but another instance's poll held it for over {Wait}; the change is read by that poll or the next scheduled one")]
    private static partial void LogStillLocked(ILogger logger, string source, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Error, Message = "A poll of source {Source} out of its schedule (nudged, or by PollInterval) failed ({Error}); the next poll tries again")]
    private static partial void LogFailed(ILogger logger, string source, string error);
}
