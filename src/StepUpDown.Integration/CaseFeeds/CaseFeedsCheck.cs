using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Integration.Health;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>Each configured source was polled successfully within <see cref="HealthOptions.MaxPollAge"/>.</summary>
internal sealed class CaseFeedsCheck(NpgsqlDataSource dataSource, IOptions<CaseFeedOptions> feeds, IOptions<HealthOptions> health, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var polled = (await connection.QueryAsync<(string Source, DateTime LastPolledAt)>(
                "SELECT source, last_polled_at FROM stepupdown.source_cursors WHERE last_polled_at IS NOT NULL"))
            .ToDictionary(p => p.Source, p => new DateTimeOffset(p.LastPolledAt, TimeSpan.Zero), StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var stale = feeds.Value.Sources.Keys
            .Where(source => !polled.TryGetValue(source, out var at) || now - at > health.Value.MaxPollAge)
            .Select(source => polled.TryGetValue(source, out var at) ? $"{source} last polled {(now - at).TotalMinutes:N0} min ago" : $"{source} never polled")
            .ToList();
        return stale.Count == 0
            ? HealthCheckResult.Healthy($"{feeds.Value.Sources.Count} case feeds polled within {health.Value.MaxPollAge}.")
            : HealthCheckResult.Degraded(string.Join("; ", stale) + ".");
    }
}
