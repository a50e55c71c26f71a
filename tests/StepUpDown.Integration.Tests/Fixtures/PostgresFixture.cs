using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>
/// A throwaway PostgreSQL cluster from the machine's server binaries (run as the postgres user
/// when the tests run as root), reached over a Unix socket in its own temporary folder; removed
/// after the run. Each test asks for a fresh database.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sud-pg-{Guid.NewGuid():N}"[..18]);
    private EmbeddedPostgres? _cluster;

    public string DataDirectory => Path.Combine(_root, "data");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = DataDirectory }, NullLogger.Instance, CancellationToken.None);
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(_cluster!.SuperuserConnectionString))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"CREATE DATABASE {name}");
        }

        return new NpgsqlConnectionStringBuilder(_cluster.SuperuserConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>A new database with the worker's schema applied.</summary>
    public async Task<string> CreateMigratedDatabaseAsync()
    {
        var connectionString = await CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new SchemaMigrator(dataSource).MigrateAsync(CancellationToken.None);
        return connectionString;
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await _cluster.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }
}
