using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace StepUpDown.Integration.Storage;

/// <summary>PostgreSQL answers and every embedded migration is applied.</summary>
internal sealed class DatabaseCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var applied = await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM stepupdown.schema_migrations");
            var expected = SchemaMigrator.Scripts().Count;
            return applied >= expected
                ? HealthCheckResult.Healthy($"PostgreSQL answers; {applied} migrations applied.")
                : HealthCheckResult.Unhealthy($"{applied} of {expected} migrations applied.");
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL does not answer: {exception.GetType().Name}.");
        }
    }
}
