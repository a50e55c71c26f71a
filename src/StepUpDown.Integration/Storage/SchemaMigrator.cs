using System.Reflection;
using Dapper;
using Npgsql;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// Applies the versioned SQL scripts embedded in this assembly (<c>Storage/Migrations/V###__name.sql</c>),
/// each once, in order. Runs under a transaction-scoped advisory lock, so instances starting
/// together take turns and the second finds nothing left to do.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource)
{
    /// <summary>The schema that holds the worker's own tables.</summary>
    public const string Schema = "stepupdown";

    private const long MigrationLockKey = 0x5354_4550_5550_0001; // "STEPUP" + 1

    /// <summary>Applies every script not yet applied; returns how many it applied.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@MigrationLockKey)", new { MigrationLockKey }, transaction);
        await connection.ExecuteAsync(
            $"""
            CREATE SCHEMA IF NOT EXISTS {Schema};
            CREATE TABLE IF NOT EXISTS {Schema}.schema_migrations (
                version     integer     PRIMARY KEY,
                name        text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            );
            """,
            transaction: transaction);

        var applied = (await connection.QueryAsync<int>($"SELECT version FROM {Schema}.schema_migrations", transaction: transaction)).ToHashSet();
        var count = 0;
        foreach (var script in Scripts().Where(s => !applied.Contains(s.Version)))
        {
            await connection.ExecuteAsync(script.Sql, transaction: transaction);
            await connection.ExecuteAsync(
                $"INSERT INTO {Schema}.schema_migrations (version, name) VALUES (@Version, @Name)",
                new { script.Version, script.Name },
                transaction);
            count++;
        }

        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    /// <summary>The embedded scripts, in version order.</summary>
    public static IReadOnlyList<MigrationScript> Scripts()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        const string prefix = "StepUpDown.Integration.Storage.Migrations.V";
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => Load(assembly, name, name[prefix.Length..^".sql".Length]))
            .OrderBy(script => script.Version)
            .ToArray();
    }

    private static MigrationScript Load(Assembly assembly, string resourceName, string versionAndName)
    {
        var separator = versionAndName.IndexOf("__", StringComparison.Ordinal);
        var version = int.Parse(versionAndName[..separator], System.Globalization.CultureInfo.InvariantCulture);
        using var stream = assembly.GetManifestResourceStream(resourceName)!;
        using var reader = new StreamReader(stream);
        return new MigrationScript(version, versionAndName[(separator + 2)..], reader.ReadToEnd());
    }
}

/// <summary>One versioned migration script.</summary>
public sealed record MigrationScript(int Version, string Name, string Sql);
