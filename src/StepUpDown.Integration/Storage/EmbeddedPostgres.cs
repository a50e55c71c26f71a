using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// A private PostgreSQL cluster run from the machine's own server binaries, in a data folder
/// the worker owns. It listens on no TCP port at all: only on a Unix socket inside its data
/// folder (mode 0700), so only its owner (and root) can reach it, and even there every
/// connection needs a password (scram-sha-256). The passwords are generated on first start and
/// kept in <see cref="SecretsFile"/> (0600) in the data folder. The worker connects as
/// <see cref="AppRole"/>, which is no superuser: it owns only the schemas it creates in its
/// database (<c>stepupdown</c>, <c>hangfire</c>).
/// </summary>
public sealed partial class EmbeddedPostgres : IAsyncDisposable
{
    /// <summary>The database the worker uses inside the cluster.</summary>
    public const string DatabaseName = "stepupdown";

    /// <summary>The role the worker connects as.</summary>
    public const string AppRole = "stepupdown_app";

    /// <summary>Where, in the data folder, the generated passwords are kept.</summary>
    public const string SecretsFile = "stepupdown-secrets.json";

    private const string SuperUser = "stepupdown";
    private const string HbaConf = """
        # StepUpDown: the private cluster's only door is its Unix socket (0700), and it asks for a password.
        local all all scram-sha-256

        """;

    private Secrets _secrets = new("", "");
    private readonly string _pgCtl;
    private readonly string _dataDirectory;
    private readonly string? _osUser;
    private readonly ILogger _logger;
    private bool _startedHere;

    private EmbeddedPostgres(string binDirectory, string dataDirectory, string? osUser, ILogger logger)
    {
        _pgCtl = Path.Combine(binDirectory, "pg_ctl");
        _dataDirectory = dataDirectory;
        _osUser = osUser;
        _logger = logger;
    }

    /// <summary>Connection string for the worker's database in the cluster, as <see cref="AppRole"/>.</summary>
    public string ConnectionString => Connect(AppRole, _secrets.App, DatabaseName);

    /// <summary>The cluster's superuser, for tests and benchmarks that create databases of their own.</summary>
    public string SuperuserConnectionString => Connect(SuperUser, _secrets.Superuser, DatabaseName);

    private string Connect(string user, string? password, string database) => new NpgsqlConnectionStringBuilder
    {
        Host = _dataDirectory,
        Username = user,
        Password = password,
        Database = database,
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
        await cluster.RequirePasswordsAsync(cancellationToken);
        await cluster.EnsureDatabaseAsync(cancellationToken);
        return cluster;
    }

    /// <summary>
    /// Stops the cluster if this process started it (fast shutdown: open sessions are ended,
    /// committed data is safe). One it found running (a worker's, reused by a command such as
    /// <c>report</c> or <c>erase-child</c>) is left running for its owner.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_startedHere)
        {
            return;
        }

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

        _startedHere = true;
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

    /// <summary>
    /// On first start (or on a cluster made before passwords were asked), generates the two
    /// passwords, sets them while the socket still trusts its owner, keeps them in
    /// <see cref="SecretsFile"/>, then makes the socket ask for them.
    /// </summary>
    private async Task RequirePasswordsAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(_dataDirectory, SecretsFile);
        if (!File.Exists(path))
        {
            var secrets = new Secrets(NewSecret(), NewSecret());
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Connect(SuperUser, null, "postgres")) { Pooling = false }.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                await connection.ExecuteAsync(
                    $"""
                    ALTER ROLE {SuperUser} PASSWORD '{secrets.Superuser}';
                    DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{AppRole}') THEN CREATE ROLE {AppRole}; END IF; END $$;
                    ALTER ROLE {AppRole} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD '{secrets.App}';
                    """);
            }
            catch (NpgsqlException exception)
            {
                throw new DatabaseUnavailableException(
                    $"The private PostgreSQL cluster in {_dataDirectory} asks for a password, but {SecretsFile} is gone from it; restore the file, or start with a new Database:Embedded:DataDirectory.",
                    exception);
            }

            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var file = new FileStream(path, create))
            {
                await System.Text.Json.JsonSerializer.SerializeAsync(file, secrets, cancellationToken: cancellationToken);
            }
        }

        await using (var file = File.OpenRead(path))
        {
            _secrets = await System.Text.Json.JsonSerializer.DeserializeAsync<Secrets>(file, cancellationToken: cancellationToken)
                ?? throw new DatabaseUnavailableException($"{path} holds no passwords.");
        }

        var hba = Path.Combine(_dataDirectory, "pg_hba.conf");
        if (await File.ReadAllTextAsync(hba, cancellationToken) != HbaConf)
        {
            await File.WriteAllTextAsync(hba, HbaConf, cancellationToken);
            await RunCheckedAsync(_osUser, _pgCtl, ["reload", "-D", _dataDirectory], "make the database cluster ask for passwords", cancellationToken);
        }
    }

    private static string NewSecret() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    /// <summary>
    /// Creates the worker's database, lets <see cref="AppRole"/> connect and create its schemas
    /// there, and hands it the schemas a cluster made before it existed gave the superuser.
    /// </summary>
    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(Connect(SuperUser, _secrets.Superuser, "postgres")) { Pooling = false };
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            var exists = await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @DatabaseName)", new { DatabaseName });
            if (!exists)
            {
                await connection.ExecuteAsync($"CREATE DATABASE {DatabaseName}");
            }
        }

        builder.Database = DatabaseName;
        await using var database = new NpgsqlConnection(builder.ConnectionString);
        await database.OpenAsync(cancellationToken);
        await database.ExecuteAsync(
            $$"""
            GRANT CONNECT, CREATE, TEMPORARY ON DATABASE {{DatabaseName}} TO {{AppRole}};
            DO $$
            DECLARE object record;
            BEGIN
              FOR object IN SELECT nspname FROM pg_namespace WHERE nspname IN ('stepupdown', 'hangfire') AND nspowner <> '{{AppRole}}'::regrole LOOP
                EXECUTE format('ALTER SCHEMA %I OWNER TO {{AppRole}}', object.nspname);
              END LOOP;
              FOR object IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE n.nspname IN ('stepupdown', 'hangfire') AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relowner <> '{{AppRole}}'::regrole LOOP
                EXECUTE format('ALTER %s %s OWNER TO {{AppRole}}', CASE object.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, object.name);
              END LOOP;
              -- Sequences of serial columns moved with their tables; any others now.
              FOR object IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE n.nspname IN ('stepupdown', 'hangfire') AND c.relkind = 'S' AND c.relowner <> '{{AppRole}}'::regrole LOOP
                EXECUTE format('ALTER SEQUENCE %s OWNER TO {{AppRole}}', object.name);
              END LOOP;
              FOR object IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                             WHERE n.nspname IN ('stepupdown', 'hangfire') AND p.proowner <> '{{AppRole}}'::regrole LOOP
                EXECUTE format('ALTER ROUTINE %s OWNER TO {{AppRole}}', object.name);
              END LOOP;
            END $$;
            """);
    }

    private sealed record Secrets(string Superuser, string App);

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
