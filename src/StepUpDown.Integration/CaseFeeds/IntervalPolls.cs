using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>
/// Polls each source that sets <see cref="CaseFeedSourceOptions.PollInterval"/> every interval,
/// in this instance rather than as a Hangfire job: a job per poll costs about 70 database
/// transactions (its states, queue and counters), a poll that finds nothing here three
/// statements and no write. A poll a peer instance is already running is skipped, not awaited.
/// <c>PollCron</c> stays as the safety net the dashboard shows. Says at start-up when no source is
/// configured: a worker that polls nothing is more likely a mistake than a choice.
/// </summary>
internal sealed partial class IntervalPolls(PollNudges polls, IOptions<CaseFeedOptions> feeds, ILogger<IntervalPolls> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (feeds.Value.Sources.Count == 0)
        {
            LogNoSources(logger);
        }
        else
        {
            LogPolling(logger, feeds.Value.Sources.Count);
        }

        return Task.WhenAll(feeds.Value.Sources
            .Where(source => source.Value.PollInterval is not null)
            .Select(source => PollEveryAsync(source.Key, source.Value.PollInterval!.Value, stoppingToken)));
    }

    private async Task PollEveryAsync(string source, TimeSpan interval, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await polls.PollOnceAsync(source, TimeSpan.Zero, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No case feeds configured (CaseFeeds:Sources is empty): the worker polls nothing")]
    private static partial void LogNoSources(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Polling {Count} case feeds on their schedules")]
    private static partial void LogPolling(ILogger logger, int count);
}
