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
            await connection.ExecuteAsync("CREATE TABLE kept (id int); INSERT INTO kept VALUES (42);");
        }

        NpgsqlConnection.ClearAllPools();
        await using var second = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);
        await using var again = new NpgsqlConnection(second.ConnectionString);
        (await again.ExecuteScalarAsync<int>("SELECT id FROM kept")).ShouldBe(42);
        (await again.ExecuteScalarAsync<string>("SHOW listen_addresses")).ShouldBe("", "the private cluster listens on no TCP port");
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
