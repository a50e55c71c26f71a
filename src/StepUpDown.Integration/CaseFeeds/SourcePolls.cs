using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Jobs;

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
/// Polls each source in this instance, one <see cref="ActivityRunner"/> per source: every
/// <see cref="CaseFeedSourceOptions.PollInterval"/> where one is set, and at once when its case
/// system says something changed (a nudge), so an urgent step up reaches the GP in seconds rather
/// than at the next scheduled poll. <c>PollCron</c>'s recurring job stays as the safety net the
/// dashboard shows. A poll here costs three statements and no write when nothing changed; a
/// Hangfire job per poll about 70 transactions.
/// A scheduled poll a peer instance is running is skipped, not awaited; a nudged one waits for the
/// peer's poll to end, since that one may have read the feed before the change. Nudges coalesce:
/// one poll in flight and at most one queued behind it, however many arrive; every nudge is
/// followed by a poll that starts after it.
/// </summary>
public sealed partial class SourcePolls : BackgroundService
{
    /// <summary>How long a nudged poll waits for another instance's poll of the source to end.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(1);

    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger<SourcePolls> _logger;

    /// <summary>Each source's runner, made on first use: the sources' settings are validated at start-up, not when this is built.</summary>
    private readonly Lazy<Dictionary<string, Source>> _sources;

    /// <summary>A runner for each configured source.</summary>
    public SourcePolls(IServiceScopeFactory scopes, IOptions<CaseFeedOptions> feeds, ILogger<SourcePolls> logger)
    {
        _scopes = scopes;
        _logger = logger;
        _sources = new(() => feeds.Value.Sources.ToDictionary(
            source => source.Key,
            source => new Source(
                new ActivityRunner($"polls of source {source.Key}", new ActivitySchedule(source.Value.PollInterval), (trigger, token) => PollAsync(source.Key, trigger, token), logger),
                source.Value.NudgesPerSecond),
            StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Asks for a poll of <paramref name="source"/> (any case) now.</summary>
    public NudgeOutcome Nudge(string source)
    {
        if (!_sources.Value.TryGetValue(source, out var nudged))
        {
            return NudgeOutcome.UnknownSource;
        }

        using var lease = nudged.Limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            return NudgeOutcome.TooMany;
        }

        nudged.Runner.Nudge();
        return NudgeOutcome.Accepted;
    }

    /// <summary>True while a poll of <paramref name="source"/> runs in this instance, or a nudge waits for one.</summary>
    public bool IsPolling(string source) => _sources.Value.TryGetValue(source, out var polled) && polled.Runner.IsBusy;

    /// <summary>Runs every source's polls until the host stops; says at start-up when there is no source to poll.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_sources.Value.Count == 0)
        {
            // A worker that polls nothing is more likely a mistake than a choice.
            LogNoSources(_logger);
        }
        else
        {
            LogPolling(_logger, _sources.Value.Count);
        }

        return Task.WhenAll(_sources.Value.Values.Select(source => source.Runner.RunAsync(stoppingToken)));
    }

    /// <summary>One poll of <paramref name="source"/> in a scope of its own; a nudged one waits for a peer's poll of it.</summary>
    private async Task<RunOutcome> PollAsync(string source, RunTrigger trigger, CancellationToken cancellationToken)
    {
        var lockWait = trigger == RunTrigger.Nudge ? LockWait : TimeSpan.Zero;
        await using var scope = _scopes.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<CaseFeedPoller>().PollAsync(source, lockWait, cancellationToken);
        if (result.Skipped && lockWait > TimeSpan.Zero)
        {
            LogStillLocked(_logger, source, lockWait);
        }

        // A scheduled poll a peer is running is the peer's: it reads what this one would have.
        return RunOutcome.Done;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        if (_sources.IsValueCreated)
        {
            foreach (var source in _sources.Value.Values)
            {
                source.Limiter.Dispose();
            }
        }

        base.Dispose();
    }

    /// <summary>One source's runner, and its nudges' rate limit.</summary>
    private sealed class Source(ActivityRunner runner, int nudgesPerSecond)
    {
        public ActivityRunner Runner { get; } = runner;

        public TokenBucketRateLimiter Limiter { get; } = new(new TokenBucketRateLimiterOptions
        {
            TokenLimit = nudgesPerSecond,
            TokensPerPeriod = nudgesPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No case feeds configured (CaseFeeds:Sources is empty): the worker polls nothing")]
    private static partial void LogNoSources(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Polling {Count} case feeds on their schedules and when nudged")]
    private static partial void LogPolling(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {Source} was nudged but another instance's poll held it for over {Wait}; the change is read by that poll or the next scheduled one")]
    private static partial void LogStillLocked(ILogger logger, string source, TimeSpan wait);
}
