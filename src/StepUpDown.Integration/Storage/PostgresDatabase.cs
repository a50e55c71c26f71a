using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// The worker's database, made ready before the host is built: the configured server, or else
/// the private cluster; its schema migrated. Disposing it stops a private cluster.
/// </summary>
public sealed partial class PostgresDatabase : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _embedded;

    private PostgresDatabase(string connectionString, EmbeddedPostgres? embedded)
    {
        ConnectionString = connectionString;
        _embedded = embedded;
    }

    /// <summary>The connection string every part of the worker uses.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Connects to <c>ConnectionStrings:StepUpDown</c>, or starts the private cluster when it is
    /// not set, then applies the schema migrations.
    /// </summary>
    /// <exception cref="DatabaseUnavailableException">Neither works; the message says what to install or set.</exception>
    public static async Task<PostgresDatabase> OpenAsync(IConfiguration configuration, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        SectionValidation.ThrowIfInvalid(options, DatabaseOptions.SectionName);

        var configured = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        var embedded = string.IsNullOrWhiteSpace(configured)
            ? await EmbeddedPostgres.StartAsync(options.Embedded, logger, cancellationToken)
            : null;
        var database = new PostgresDatabase(WithoutJit(embedded?.ConnectionString ?? configured!), embedded);
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
            var applied = await new SchemaMigrator(dataSource).MigrateAsync(cancellationToken);
            LogMigrated(logger, applied);
            return database;
        }
        catch (NpgsqlException exception)
        {
            await database.DisposeAsync();
            throw new DatabaseUnavailableException(
                $"Could not use the PostgreSQL database ({exception.Message}). "
                + "Check ConnectionStrings:StepUpDown, or remove it to let the worker run its own private cluster.",
                exception);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The worker's queries are short OLTP statements over large tables; PostgreSQL's JIT would
    /// spend hundreds of milliseconds compiling each one (measured in the benchmark), so it is off
    /// for the worker's sessions whatever the server's default.
    /// </summary>
    private static string WithoutJit(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? "-c jit=off" : $"{builder.Options} -c jit=off";
        return builder.ConnectionString;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date ({Applied} migrations applied now)")]
    private static partial void LogMigrated(ILogger logger, int applied);
}
