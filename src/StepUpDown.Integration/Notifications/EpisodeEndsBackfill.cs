using Dapper;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// Fills in <c>steps.ends_episode</c> for the steps stored before the column existed (V018), from
/// the configured continuum, before anything reads it: run by the host at start-up. A fact is
/// written once; later starts find nothing to do.
/// </summary>
public sealed class EpisodeEndsBackfill(NpgsqlDataSource dataSource, ContinuumOfNeed continuum) : IStartupTask
{
    /// <inheritdoc />
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var unknown = await connection.QueryAsync<(string Kind, string ToLevel)>(
            "SELECT DISTINCT kind, to_level FROM stepupdown.steps WHERE ends_episode IS NULL");
        foreach (var (kind, toLevel) in unknown)
        {
            if (!continuum.TryGet(toLevel, out var level))
            {
                // A level renamed since: left for when an alias names it (StoredLevelsCheck stops start-up meanwhile).
                continue;
            }

            var ends = Enum.TryParse<StepKind>(kind, out var stepKind) && DetectedStep.EndsEpisode(stepKind, level);
            await connection.ExecuteAsync(
                "UPDATE stepupdown.steps SET ends_episode = @ends WHERE ends_episode IS NULL AND kind = @kind AND to_level = @toLevel",
                new { ends, kind, toLevel });
        }
    }
}
