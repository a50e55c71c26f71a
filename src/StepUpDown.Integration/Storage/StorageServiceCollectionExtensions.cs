using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Health;

namespace StepUpDown.Integration.Storage;

/// <summary>Registers the worker's PostgreSQL data source.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers one pooled <see cref="NpgsqlDataSource"/> for <paramref name="database"/>, which
    /// <see cref="PostgresDatabase.OpenAsync"/> made ready (and migrated) before the host was built,
    /// its sessions bounded as <see cref="DatabaseSessionOptions"/> says (a hung instance holds nothing for long).
    /// <code>
    /// "ConnectionStrings": { "StepUpDown": "Host=db;Database=stepupdown;Username=...;Password=..." }   (empty: private cluster)
    /// "Database": { "Embedded": { "DataDirectory": ".data/postgres", "BinDirectory": null, "OsUser": "postgres" },
    ///               "Sessions": { "KeepAlive": "00:00:10", "HungAfter": "00:00:30", "LockTimeout": "00:01:00" } }
    /// </code>
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder, PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(database);
        builder.Services.AddValidatedOptions<DatabaseSessionOptions>(builder.Configuration, DatabaseSessionOptions.SectionName);
        builder.Services.AddSingleton(provider =>
            NpgsqlDataSource.Create(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseSessionOptions>>().Value.Apply(database.ConnectionString)));
        builder.Services.AddValidatedOptions<LeaseOptions>(builder.Configuration, LeaseOptions.SectionName);
        builder.Services.AddSingleton<InstanceLease>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<InstanceLease>());

        // Readiness: the thresholds every capability's checks read, and the database's own check.
        builder.Services.AddValidatedOptions<HealthOptions>(builder.Configuration, HealthOptions.SectionName);
        builder.Services.AddHealthChecks().AddCheck<DatabaseCheck>("database", HealthStatus.Unhealthy, [HealthTags.Ready]);
        return builder;
    }
}
