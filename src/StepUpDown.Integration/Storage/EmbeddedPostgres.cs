using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// A private PostgreSQL cluster run from the machine's own server binaries, in a data folder
/// the worker owns. It listens on no TCP port at all: only on a Unix socket inside its data
/// folder (mode 0700), so only its owner (and root) can reach it.
/// </summary>
public sealed partial class EmbeddedPostgres : IAsyncDisposable
{
    /// <summary>The database the worker uses inside the cluster.</summary>
    public const string DatabaseName = "stepupdown";

    private const string SuperUser = "stepupdown";
    private readonly string _pgCtl;
    private readonly string _dataDirectory;
    private readonly string? _osUser;
    private readonly ILogger _logger;

    private EmbeddedPostgres(string binDirectory, string dataDirectory, string? osUser, ILogger logger)
    {
        _pgCtl = Path.Combine(binDirectory, "pg_ctl");
        _dataDirectory = dataDirectory;
        _osUser = osUser;
        _logger = logger;
    }

    /// <summary>Connection string for the worker's database in the cluster.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = _dataDirectory,
        Username = SuperUser,
        Database = DatabaseName,
    }.ConnectionString;

    /// <summary>
    /// Starts (creating on first run) the cluster in <see cref="EmbeddedPostgresOptions.DataDirectory"/>
    /// and makes sure the worker's database exists.
    /// </summary>
    /// <exception cref="DatabaseUnavailableException">The binaries are missing or the cluster cannot start.</exception>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var binDirectory = FindBinDirectory(options.BinDirectory);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        if (Path.Combine(dataDirectory, ".s.PGSQL.5432").Length > 100)
        {
            throw new DatabaseUnavailableException(
                $"Database:Embedded:DataDirectory '{dataDirectory}' is too long a path for PostgreSQL's Unix socket; choose a shorter one.");
        }

        var osUser = Environment.IsPrivilegedProcess ? options.OsUser : null;
        var cluster = new EmbeddedPostgres(binDirectory, dataDirectory, osUser, logger);
        await cluster.InitialiseAsync(binDirectory, cancellationToken);
        await cluster.StartClusterAsync(options.StartTimeout, cancellationToken);
        await cluster.EnsureDatabaseAsync(cancellationToken);
        return cluster;
    }

    /// <summary>Stops the cluster (fast shutdown: open sessions are ended, committed data is safe).</summary>
    public async ValueTask DisposeAsync()
    {
        var result = await RunAsync(_pgCtl, ["stop", "-D", _dataDirectory, "-m", "fast", "-w"], CancellationToken.None);
        if (result.ExitCode == 0)
        {
            LogStopped(_logger, _dataDirectory);
        }
        else
        {
            LogStopFailed(_logger, result.ExitCode, result.Output);
        }
    }

    private static string FindBinDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(Path.Combine(configured, "pg_ctl"))
                ? configured
                : throw new DatabaseUnavailableException($"Database:Embedded:BinDirectory '{configured}' holds no pg_ctl.");
        }

        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(VersionOf).Select(d => Path.Combine(d, "bin"))
                : []);
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "initdb")))
            ?? throw new DatabaseUnavailableException(
                "No PostgreSQL server binaries (initdb, pg_ctl) were found on PATH or in /usr/lib/postgresql. "
                + "Install them (Debian: apt-get install postgresql), set Database:Embedded:BinDirectory, "
                + "or set ConnectionStrings:StepUpDown to use an existing PostgreSQL server.");

        static int VersionOf(string directory) =>
            int.TryParse(Path.GetFileName(directory), out var version) ? version : 0;
    }

    private async Task InitialiseAsync(string binDirectory, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            return;
        }

        Directory.CreateDirectory(_dataDirectory);
        if (_osUser is not null)
        {
            await RunCheckedAsync(null, "chown", [_osUser, _dataDirectory], "hand the data folder to the PostgreSQL user", cancellationToken);
        }

        LogCreating(_logger, _dataDirectory);
        await RunCheckedAsync(
            _osUser,
            Path.Combine(binDirectory, "initdb"),
            ["-D", _dataDirectory, "-U", SuperUser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-instructions"],
            "create the database cluster",
            cancellationToken);
    }

    private async Task StartClusterAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if ((await RunAsync(_pgCtl, ["status", "-D", _dataDirectory], cancellationToken)).ExitCode == 0)
        {
            LogReused(_logger, _dataDirectory);
            return;
        }

        var serverOptions = $"-c listen_addresses='' -c unix_socket_directories='{_dataDirectory}' -c unix_socket_permissions=0700";
        await RunCheckedAsync(
            _osUser,
            _pgCtl,
            ["start", "-D", _dataDirectory, "-w", "-t", ((int)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-l", Path.Combine(_dataDirectory, "server.log"), "-o", serverOptions],
            "start the database cluster",
            cancellationToken);
        LogStarted(_logger, _dataDirectory);
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @DatabaseName)", new { DatabaseName });
        if (!exists)
        {
            await connection.ExecuteAsync($"CREATE DATABASE {DatabaseName}");
        }
    }

    private Task<ProcessRunner.Result> RunAsync(string file, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(_osUser, file, arguments, cancellationToken);

    private static async Task RunCheckedAsync(string? osUser, string file, IEnumerable<string> arguments, string purpose, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(osUser, file, arguments, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new DatabaseUnavailableException(
                $"Could not {purpose} (exit code {result.ExitCode}): {result.Output.Trim()} "
                + "Check Database:Embedded:DataDirectory is a folder the PostgreSQL user can write, "
                + "or set ConnectionStrings:StepUpDown to use an existing PostgreSQL server.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No ConnectionStrings:StepUpDown set: creating a private PostgreSQL cluster in {DataDirectory}")]
    private static partial void LogCreating(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started the private PostgreSQL cluster in {DataDirectory} (Unix socket only, no TCP port)")]
    private static partial void LogStarted(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "The private PostgreSQL cluster in {DataDirectory} was already running; using it")]
    private static partial void LogReused(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped the private PostgreSQL cluster in {DataDirectory}")]
    private static partial void LogStopped(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not stop the private PostgreSQL cluster (exit code {ExitCode}): {Output}")]
    private static partial void LogStopFailed(ILogger logger, int exitCode, string output);
}

/// <summary>No usable database: the message says what to install or set.</summary>
public sealed class DatabaseUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DatabaseUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public DatabaseUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DatabaseUnavailableException()
    {
    }
}
