using Dapper;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Storage;

/// <summary>
/// Facts stored for the rules that SQL filters on (V018): a database upgraded from before them
/// gets each one from what it already holds, the GP still owed from the ledger, the end of an
/// episode from the configured continuum.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class FactColumnTests(PostgresFixture postgres)
{
    private static async Task ApplyAsync(NpgsqlConnection connection, Func<int, bool> versions)
    {
        foreach (var script in SchemaMigrator.Scripts().Where(s => versions(s.Version)))
        {
            await connection.ExecuteAsync(script.Sql);
        }
    }

    private static Task<int> AddStepAsync(NpgsqlConnection connection, string childId, string kind, string toLevel, int day) =>
        connection.ExecuteAsync(
            """
            INSERT INTO stepupdown.steps (id, source, child_id, kind, from_level, to_level, to_version, record, detected_at, occurred_on)
            VALUES (gen_random_uuid(), 'social-care', @childId, @kind, 'child-in-need', @toLevel, 1, '{}', @at, @at::date)
            """,
            new { childId, kind, toLevel, at = new DateTime(2026, 11, day, 9, 0, 0, DateTimeKind.Utc) });

    private static Task<int> AddNoticeAsync(NpgsqlConnection connection, string childId, string kind, string role, int day) =>
        connection.ExecuteAsync(
            """
            INSERT INTO stepupdown.notifications (id, step_id, recipient_role, state, message_id, created_at)
            SELECT gen_random_uuid(), s.id, @role, 'sent', gen_random_uuid()::text, @at FROM stepupdown.steps s WHERE s.child_id = @childId AND s.kind = @kind
            """,
            new { childId, kind, role, at = new DateTime(2026, 11, day, 9, 0, 0, DateTimeKind.Utc) });

    [Fact]
    public async Task AnUpgradedDatabase_KnowsWhichGpsAreStillOwedThePlan_FromItsLedger()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE SCHEMA stepupdown");
        await ApplyAsync(connection, version => version < 18);
        foreach (var child in new[] { "OWED", "TOLD", "NEVER" })
        {
            await connection.ExecuteAsync(
                "INSERT INTO stepupdown.child_records (source, child_id, version, level_code, record, stored_at) VALUES ('social-care', @child, 1, 'child-in-need', '{}', now())",
                new { child });
        }

        await AddStepAsync(connection, "OWED", "StepUp", "child-in-need", 2);
        await AddNoticeAsync(connection, "OWED", "StepUp", "massh-nhs-match", 2);
        await AddStepAsync(connection, "TOLD", "StepUp", "child-in-need", 2);
        await AddNoticeAsync(connection, "TOLD", "StepUp", "massh-nhs-match", 2);
        await AddStepAsync(connection, "TOLD", "NhsNumberMatched", "child-in-need", 3);
        await AddNoticeAsync(connection, "TOLD", "NhsNumberMatched", "gp", 3);
        await AddStepAsync(connection, "NEVER", "StepUp", "child-in-need", 2);
        await AddNoticeAsync(connection, "NEVER", "StepUp", "gp", 2);

        await ApplyAsync(connection, version => version == 18);

        (await connection.QueryAsync<string>("SELECT child_id FROM stepupdown.child_records WHERE gp_owed")).ShouldBe(["OWED"]);
    }

    [Fact]
    public async Task StepsStoredBeforeTheColumn_AreToldWhetherTheyEndedAnEpisode_ByTheConfiguredContinuum()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await AddStepAsync(connection, "SC-1", "StepDown", "none-at-all", 2);
        await AddStepAsync(connection, "SC-2", "StepDown", "early-help", 2);
        await AddStepAsync(connection, "SC-3", "StepDownComplete", "early-help", 2);
        await AddStepAsync(connection, "SC-4", "StepUp", "none-at-all", 2);
        var continuum = new ContinuumOfNeed([new Level("none-at-all", "Universal", 0), new Level("early-help", "Early help", 0), new Level("child-in-need", "Child in need", 0)]);

        await new EpisodeEndsBackfill(dataSource, continuum).RunAsync(CancellationToken.None);

        (await connection.QueryAsync<(string, bool?)>("SELECT child_id, ends_episode FROM stepupdown.steps ORDER BY child_id"))
            .ShouldBe([("SC-1", true), ("SC-2", false), ("SC-3", true), ("SC-4", false)]);
    }
}
