using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StepUpDown.Domain.Handovers;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>Degraded while a quarantined record has been unresolved for more than a working day: a child nobody can see.</summary>
internal sealed class QuarantineCheck(NpgsqlDataSource dataSource, WorkingDayCalendar calendar, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (oldest, count) = await QuarantinedRecords.SummaryAsync(connection);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return oldest is { } at && calendar.AgeInWorkingDays(DateOnly.FromDateTime(at), today) > 1
            ? HealthCheckResult.Degraded($"{count} quarantined records unresolved, the oldest since {at:u}: see the dashboard's Quarantined records page and check each child by hand.")
            : HealthCheckResult.Healthy($"{count} quarantined records, none unresolved for more than a working day.");
    }
}
