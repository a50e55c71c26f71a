using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>
/// Polls each source that sets <see cref="CaseFeedSourceOptions.PollInterval"/> every interval,
/// in this instance rather than as a Hangfire job: a job per poll costs about 70 database
/// transactions (its states, queue and counters), a poll that finds nothing here three
/// statements and no write. A poll a peer instance is already running is skipped, not awaited.
/// <c>PollCron</c> stays as the safety net the dashboard shows.
/// </summary>
internal sealed class IntervalPolls(PollNudges polls, IOptions<CaseFeedOptions> feeds) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(feeds.Value.Sources
            .Where(source => source.Value.PollInterval is not null)
            .Select(source => PollEveryAsync(source.Key, source.Value.PollInterval!.Value, stoppingToken)));

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
}
