using Dapper;
using Npgsql;

namespace StepUpDown.SsdFeed.Demo;

/// <summary>The demo's SSD: the dataset's tables in the private cluster, seeded once with fictional families.</summary>
public static class DemoSsd
{
    /// <summary>Creates the tables when missing and seeds them when <c>ssd_person</c> is empty.</summary>
    public static async Task EnsureSeededAsync(string connectionString, string schema, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clock);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SsdTables.Create(schema), cancellationToken: cancellationToken));
        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {schema}.ssd_person", cancellationToken: cancellationToken)) == 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(SsdTables.SeedDemo(schema, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)), cancellationToken: cancellationToken));
        }
    }
}
