using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Integration.Health;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// No notification has waited longer than <see cref="HealthOptions.MaxNotificationWait"/>: a
/// relay refusing mail (retries under way) or a dispatch that stopped shows here.
/// </summary>
internal sealed class NotificationsCheck(NpgsqlDataSource dataSource, IOptions<HealthOptions> health, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (waiting, oldest, failed) = await connection.QuerySingleAsync<(long, DateTime?, long)>(
            $"""
            SELECT count(*) FILTER (WHERE state IN ({NotificationStates.Sql(NotificationStates.Undelivered)})), min(created_at) FILTER (WHERE state IN ({NotificationStates.Sql(NotificationStates.Undelivered)})),
                   count(*) FILTER (WHERE state = {NotificationStates.Sql(NotificationState.Failed)} AND created_at > @since)
              FROM stepupdown.notifications WHERE state IN ({NotificationStates.Sql(NotificationState.Pending)}, {NotificationStates.Sql(NotificationState.Sending)}, {NotificationStates.Sql(NotificationState.Failed)})
            """,
            new { since = time.GetUtcNow().AddDays(-1) });
        var longest = oldest is { } at ? time.GetUtcNow() - new DateTimeOffset(at, TimeSpan.Zero) : TimeSpan.Zero;
        var limit = health.Value.MaxNotificationWait;
        if (failed > 0)
        {
            return HealthCheckResult.Degraded($"{failed} notifications failed in the last 24 hours (the MASSH was told of each): see the dashboard's Notifications page.");
        }

        return longest <= limit
            ? HealthCheckResult.Healthy($"{waiting} notifications waiting, none for longer than {limit}.")
            : HealthCheckResult.Degraded($"{waiting} notifications waiting, the oldest for {longest.TotalMinutes:N0} min: see the dashboard's Notifications page.");
    }
}
