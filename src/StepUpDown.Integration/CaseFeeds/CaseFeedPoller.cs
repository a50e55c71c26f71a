using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Telemetry;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>What one poll of a source did.</summary>
/// <param name="Skipped">True when another instance was polling the source already.</param>
/// <param name="Pages">Pages read.</param>
/// <param name="Records">Records read.</param>
/// <param name="Steps">Steps detected.</param>
/// <param name="Quarantined">Records quarantined.</param>
public sealed record PollResult(bool Skipped, int Pages, int Records, int Steps, int Quarantined);

/// <summary>
/// Reads a source's feed page by page from its cursor, detects steps and commits each page
/// (records, steps, notifications, cursor) in one transaction before reading the next.
/// </summary>
public sealed partial class CaseFeedPoller(
    IServiceProvider services,
    NpgsqlDataSource dataSource,
    CaseFeedStore store,
    TimeProvider time,
    IOptions<CaseFeedOptions> feeds,
    ContinuumOfNeed continuum,
    NotificationPlanner planner,
    FeedItemParser parser,
    INotificationDispatcher dispatcher,
    StepUpDownMetrics metrics,
    ILogger<CaseFeedPoller> logger)
{
    private const int AnalyzeEveryStoredRecords = 10_000;

    /// <summary>Polls <paramref name="source"/> until its feed has no more pages; skips when another instance is polling it.</summary>
    /// <exception cref="CaseFeedUnavailableException">The feed answered with an error after its retries.</exception>
    public Task<PollResult> PollAsync(string source, CancellationToken cancellationToken) =>
        PollAsync(source, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// Polls <paramref name="source"/> until its feed has no more pages, waiting up to
    /// <paramref name="waitForLock"/> for another instance's poll of it to end (a nudge: that poll
    /// may have read the feed before the change it announces).
    /// </summary>
    /// <exception cref="CaseFeedUnavailableException">The feed answered with an error after its retries.</exception>
    public async Task<PollResult> PollAsync(string source, TimeSpan waitForLock, CancellationToken cancellationToken)
    {
        if (!feeds.Value.Sources.TryGetValue(source, out var options))
        {
            throw new InvalidOperationException($"No case feed named '{source}' is configured under {CaseFeedOptions.SectionName}:Sources.");
        }

        var api = services.GetRequiredKeyedService<ICaseFeedApi>(source);
        var writer = new PageWriter(time, new PageContextLoader(continuum, parser), new PageDetection(new StepDetector(continuum), planner, options.TracksStepDownAgreements), dispatcher, logger);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var sourceLock = await AdvisoryLock.AcquireAsync(connection, AdvisoryLock.ForSource(source), waitForLock, cancellationToken);
        if (sourceLock is null)
        {
            LogSkipped(logger, source);
            return new PollResult(true, 0, 0, 0, 0);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (position, lastPolledAt) = await CaseFeedStore.GetPositionAsync(connection, source);
        var total = new PollResult(false, 0, 0, 0, 0);
        var storedSinceAnalyze = 0;
        while (true)
        {
            var page = await CaseFeedReader.ReadPageAsync(api, source, options, position.Cursor, cancellationToken);
            if (page is null)
            {
                LogResync(logger, source);
                position = position with { Cursor = null };
                continue;
            }

            var next = new SourcePosition(page.NextCursor ?? position.Cursor, position.BaselineCompleted || !page.HasMore);
            if (page.Items.Count == 0 && next == position && !page.HasMore)
            {
                // Nothing new: no write transaction (a poll every few seconds must cost next to nothing).
                await store.MarkPolledAsync(connection, source, lastPolledAt);
                metrics.PageRead(source, 0, [], 0);
                total = total with { Pages = total.Pages + 1 };
                break;
            }

            var parsed = page.Items.Select(item => parser.Parse(item, source)).ToList();
            var write = await writer.WritePageAsync(connection, source, parsed, position, next, cancellationToken);
            storedSinceAnalyze += write.Records;
            if (storedSinceAnalyze >= AnalyzeEveryStoredRecords)
            {
                await CaseFeedStore.AnalyzeAsync(connection);
                storedSinceAnalyze = 0;
            }

            metrics.PageRead(source, page.Items.Count, write.Steps, write.Quarantined);
            total = total with
            {
                Pages = total.Pages + 1,
                Records = total.Records + page.Items.Count,
                Steps = total.Steps + write.Steps.Count,
                Quarantined = total.Quarantined + write.Quarantined,
            };
            if (!page.HasMore)
            {
                break;
            }

            StopIfUnsafe(source, options, position, next, total, clock.Elapsed);
            position = next;
        }

        metrics.Polled(source, clock.Elapsed);
        LogPolled(logger, source, total.Pages, total.Records, total.Steps, total.Quarantined);
        return total;
    }

    /// <summary>
    /// Fails the run rather than loop: a feed that says another page is ready without moving its
    /// cursor, or a run past its page or time limit. Everything read so far is committed.
    /// </summary>
    private void StopIfUnsafe(string source, CaseFeedSourceOptions options, SourcePosition position, SourcePosition next, PollResult total, TimeSpan elapsed)
    {
        var reason =
            next.Cursor == position.Cursor ? $"Case feed '{source}' said another page is ready (hasMore) but its cursor did not move; stopped to avoid reading the same page for ever"
            : total.Pages >= options.MaxPagesPerRun ? $"Case feed '{source}' still had pages after {total.Pages} (MaxPagesPerRun); the next run goes on from here"
            : elapsed >= options.MaxRunTime ? $"Case feed '{source}' still had pages after {elapsed:g} (MaxRunTime); the next run goes on from here"
            : null;
        if (reason is not null)
        {
            LogRunStopped(logger, source, reason);
            throw new CaseFeedRunStoppedException(reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {Source} is being polled by another instance; skipping this run")]
    private static partial void LogSkipped(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {Source} said its cursor has expired (410): resyncing from the start; only real differences will be notified")]
    private static partial void LogResync(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Source {Source}: {Reason}")]
    private static partial void LogRunStopped(ILogger logger, string source, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Polled {Source}: {Pages} pages, {Records} records, {Steps} steps, {Quarantined} quarantined")]
    private static partial void LogPolled(ILogger logger, string source, int pages, int records, int steps, int quarantined);
}
