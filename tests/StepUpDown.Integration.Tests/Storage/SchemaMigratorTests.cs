using Dapper;
using Npgsql;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Storage;

[Collection(IntegrationCollection.Name)]
public sealed class SchemaMigratorTests(PostgresFixture postgres)
{
    private const string SchemaSnapshot =
        """
        SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name)
          FROM information_schema.columns WHERE table_schema = 'stepupdown'
        """;

    [Fact]
    public async Task Migrate_Twice_AppliesEverythingOnce_AndChangesNothingTheSecondTime()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        var migrator = new SchemaMigrator(dataSource);

        var first = await migrator.MigrateAsync(CancellationToken.None);
        await using var connection = await dataSource.OpenConnectionAsync();
        var before = await connection.ExecuteScalarAsync<string>(SchemaSnapshot);
        var second = await migrator.MigrateAsync(CancellationToken.None);

        first.ShouldBe(SchemaMigrator.Scripts().Count);
        second.ShouldBe(0);
        (await connection.ExecuteScalarAsync<string>(SchemaSnapshot)).ShouldBe(before);
        before.ShouldNotBeNull().ShouldContain("source_cursors.cursor:text");
    }

    [Fact]
    public async Task Migrate_FromTwoInstancesAtOnce_BothSucceed_AndEachScriptIsAppliedOnce()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var one = NpgsqlDataSource.Create(connectionString);
        await using var two = NpgsqlDataSource.Create(connectionString);

        var applied = await Task.WhenAll(
            new SchemaMigrator(one).MigrateAsync(CancellationToken.None),
            new SchemaMigrator(two).MigrateAsync(CancellationToken.None));

        applied.Sum().ShouldBe(SchemaMigrator.Scripts().Count);
        await using var connection = await one.OpenConnectionAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.schema_migrations")).ShouldBe(SchemaMigrator.Scripts().Count);
    }
}
