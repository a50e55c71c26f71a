using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>
/// At start-up, before anything polls: every level code the database holds (records, steps,
/// handovers) is on the continuum, or an alias maps it there. A level renamed or removed in
/// <c>config/continuum.json</c> after go-live would otherwise fail every page touching a child
/// stored at the old code, stop the sweep and the lead lookup; start-up stops instead, naming the
/// codes and the setting that maps them (<c>Continuum:Aliases</c>).
/// </summary>
public sealed class StoredLevelsCheck(NpgsqlDataSource dataSource, ContinuumOfNeed continuum) : IStartupTask
{
    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var stored = await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT level_code FROM stepupdown.child_records
            UNION SELECT from_level FROM stepupdown.steps UNION SELECT to_level FROM stepupdown.steps
            UNION SELECT target FROM stepupdown.handovers WHERE target IS NOT NULL
            UNION SELECT held_from FROM stepupdown.handovers WHERE held_from IS NOT NULL
            """,
            cancellationToken: cancellationToken));
        var unknown = stored.Where(code => !continuum.TryGet(code, out _)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new OptionsValidationException(ContinuumOptions.SectionName, typeof(ContinuumOptions),
            [
                $"{ContinuumOptions.SectionName}:Aliases: the database holds level codes no level of {ContinuumOptions.SectionName}:Levels has: "
                + $"{string.Join(", ", unknown.Select(code => $"'{code}'"))}. Map each to the level it became ({ContinuumOptions.SectionName}:Aliases:OLD = NEW), or put it back in {ContinuumOptions.SectionName}:Levels.",
            ]);
        }
    }
}
