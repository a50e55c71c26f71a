using Npgsql;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Storage;

[Collection(IntegrationCollection.Name)]
public sealed class UnitOfWorkTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset Stamp = new(2026, 12, 8, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task AUnitBegunToWrite_StampsWithItsTime_AndAReadingUnitHasNoTime_ButReadsOneSnapshot()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        await using var setUp = await dataSource.OpenConnectionAsync();
        await using (var creating = await UnitOfWork.BeginAsync(setUp, Stamp, CancellationToken.None))
        {
            await creating.ExecuteAsync("CREATE TABLE kept (id int, stamped_at timestamptz)");
            await creating.ExecuteAsync("INSERT INTO kept VALUES (1, @Now)", new { creating.Now });
            await creating.CommitAsync(CancellationToken.None);
        }

        await using var connection = await dataSource.OpenConnectionAsync();
        await using var reading = await UnitOfWork.BeginReadingAsync(connection, CancellationToken.None);
        var before = await reading.ExecuteScalarAsync<long>("SELECT count(*) FROM kept");
        await using (var writing = await UnitOfWork.BeginAsync(setUp, Stamp, CancellationToken.None))
        {
            await writing.ExecuteAsync("INSERT INTO kept VALUES (2, @Now)", new { writing.Now });
            await writing.CommitAsync(CancellationToken.None);
        }

        (await reading.ExecuteScalarAsync<long>("SELECT count(*) FROM kept")).ShouldBe(before, "a reading unit reads one snapshot, whatever commits meanwhile");
        (await reading.QueryAsync<DateTime>("SELECT stamped_at FROM kept")).ShouldBe([Stamp.UtcDateTime]);
        Should.Throw<InvalidOperationException>(() => reading.Now).Message.ShouldContain("stamps no rows");
    }
}
