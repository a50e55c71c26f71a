using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Tests.Storage;

public sealed class EmbeddedPostgresTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sud-emb-{Guid.NewGuid():N}"[..19]);

    [Fact]
    public async Task Start_CreatesTheClusterOnFirstRun_AndReusesItsDataAfterARestart()
    {
        Directory.CreateDirectory(_root);
        var options = new EmbeddedPostgresOptions { DataDirectory = Path.Combine(_root, "data") };

        await using (var first = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None))
        {
            await using var connection = new NpgsqlConnection(first.ConnectionString);
            await connection.ExecuteAsync("CREATE SCHEMA stepupdown; CREATE TABLE stepupdown.kept (id int); INSERT INTO stepupdown.kept VALUES (42);");
        }

        NpgsqlConnection.ClearAllPools();
        await using var second = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);
        await using var again = new NpgsqlConnection(second.ConnectionString);
        (await again.ExecuteScalarAsync<int>("SELECT id FROM stepupdown.kept")).ShouldBe(42);
        (await again.ExecuteScalarAsync<string>("SHOW listen_addresses")).ShouldBe("", "the private cluster listens on no TCP port");
    }

    [Fact]
    public async Task ACommandThatReusedARunningCluster_LeavesItRunningForTheWorkerThatStartedIt()
    {
        Directory.CreateDirectory(_root);
        var options = new EmbeddedPostgresOptions { DataDirectory = Path.Combine(_root, "data") };
        await using var worker = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);

        await (await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None)).DisposeAsync();

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(worker.ConnectionString);
        (await connection.ExecuteScalarAsync<int>("SELECT 1")).ShouldBe(1, "the worker's cluster is still up");
    }

    [Fact]
    public async Task TheWorkersRole_IsNoSuperuser_OwnsOnlyItsSchemas_AndTheSocketAsksEveryoneForAPassword()
    {
        Directory.CreateDirectory(_root);
        var options = new EmbeddedPostgresOptions { DataDirectory = Path.Combine(_root, "data") };
        await using var cluster = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);
        await using var worker = new NpgsqlConnection(cluster.ConnectionString);
        await worker.ExecuteAsync("CREATE SCHEMA stepupdown; CREATE TABLE stepupdown.mine (id int);");

        var role = await worker.QuerySingleAsync<(string Name, bool Super, bool CreateRole, bool CreateDb)>(
            "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user");
        var intoPublic = await Should.ThrowAsync<PostgresException>(() => worker.ExecuteAsync("CREATE TABLE public.elsewhere (id int)"));
        var readAnother = await Should.ThrowAsync<PostgresException>(() => worker.ExecuteAsync("SELECT * FROM pg_authid"));
        var passwordless = new NpgsqlConnectionStringBuilder(cluster.SuperuserConnectionString) { Password = null, Pooling = false };
        var noPassword = await Should.ThrowAsync<NpgsqlException>(async () =>
        {
            await using var anyone = new NpgsqlConnection(passwordless.ConnectionString);
            await anyone.OpenAsync();
        });

        role.ShouldBe((EmbeddedPostgres.AppRole, false, false, false));
        intoPublic.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        readAnother.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        noPassword.ShouldNotBeNull();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(options.DataDirectory, EmbeddedPostgres.SecretsFile)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public async Task Start_WithoutBinaries_SaysWhatToInstallOrSet()
    {
        var options = new EmbeddedPostgresOptions { DataDirectory = Path.Combine(_root, "data"), BinDirectory = _root };

        var failure = await Should.ThrowAsync<DatabaseUnavailableException>(
            () => EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None));

        failure.Message.ShouldContain("Database:Embedded:BinDirectory");
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
