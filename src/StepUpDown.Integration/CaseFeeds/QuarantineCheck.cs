using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Health;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>Degraded while a quarantined record has been unresolved for more than a working day: a child nobody can see.</summary>
internal sealed class QuarantineCheck(NpgsqlDataSource dataSource, WorkingDayCalendar calendar, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (oldest, count) = await QuarantinedRecords.SummaryAsync(connection);
        return Waiting.OverAWorkingDay(calendar, oldest, time)
            ? HealthCheckResult.Degraded($"{count} quarantined records unresolved, the oldest since {oldest:u}: see the dashboard's Quarantined records page and check each child by hand.")
            : HealthCheckResult.Healthy($"{count} quarantined records, none unresolved for more than a working day.");
    }
}
