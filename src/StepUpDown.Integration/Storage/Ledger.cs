using System.Globalization;
using Dapper;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;

namespace StepUpDown.Integration.Storage;

/// <summary>A step to store, with the record that showed it and, for handover messages, what they say beyond it.</summary>
/// <param name="Source">The record's source.</param>
/// <param name="ChildId">The child's id there.</param>
/// <param name="Step">The step.</param>
/// <param name="RecordJson">The record the notices are written from.</param>
/// <param name="DetailsJson">Handover messages: stage, missing items, working days.</param>
/// <param name="HandoverId">The handover the step's notices belong to (the one it opened, or the one it is about): their mail is threaded under it.</param>
public sealed record StepToStore(string Source, string ChildId, DetectedStep Step, string RecordJson, string? DetailsJson = null, Guid? HandoverId = null);

/// <summary>
/// Writes steps (their delivery ledger rows are <c>NotificationLedger</c>'s, a layer above).
/// Steps are keyed deterministically, so writing the same step twice (a replay, a re-run, a
/// second instance) adds nothing.
/// </summary>
public static class Ledger
{
    /// <summary>Every stored step of these (source, child id) records.</summary>
    public static async Task<IReadOnlyList<StoredStep>> StepsOfAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string[] sources, string[] childIds)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return (await connection.QueryAsync<StoredStep>(
            """
            SELECT s.kind, s.detected_at AS DetectedAt, s.occurred_on AS OccurredOn
              FROM stepupdown.steps s WHERE (s.source, s.child_id) IN (SELECT * FROM unnest(@sources, @childIds))
            """,
            new { sources, childIds },
            transaction)).AsList();
    }

    /// <summary>Adds the steps not already stored.</summary>
    public static Task AddStepsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StepToStore> steps, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(steps);
        return connection.ExecuteAsync(
            """
            INSERT INTO stepupdown.steps (id, source, child_id, kind, from_level, to_level, from_version, to_version,
                                          subject, markers, occurred_on, record, details, handover_id, ends_episode, detected_at)
            SELECT s.id, s.source, s.child_id, s.kind, s.from_level, s.to_level, s.from_version, s.to_version,
                   s.subject, string_to_array(s.markers, ','), s.occurred_on::date, s.record::jsonb, s.details::jsonb, s.handover_id, s.ends_episode, @now
            FROM unnest(@ids, @sources, @childIds, @kinds, @fromLevels, @toLevels, @fromVersions, @toVersions, @subjects, @markers, @occurredOn, @records, @details, @handoverIds, @endsEpisode)
                 AS s(id, source, child_id, kind, from_level, to_level, from_version, to_version, subject, markers, occurred_on, record, details, handover_id, ends_episode)
            ON CONFLICT (id) DO NOTHING
            """,
            new
            {
                now,
                ids = steps.Select(s => s.Step.Id).ToArray(),
                sources = steps.Select(s => s.Source).ToArray(),
                childIds = steps.Select(s => s.ChildId).ToArray(),
                kinds = steps.Select(s => s.Step.Kind.ToString()).ToArray(),
                fromLevels = steps.Select(s => s.Step.From.Code).ToArray(),
                toLevels = steps.Select(s => s.Step.To.Code).ToArray(),
                fromVersions = steps.Select(s => s.Step.FromVersion).ToArray(),
                toVersions = steps.Select(s => s.Step.ToVersion).ToArray(),
                subjects = steps.Select(s => s.Step.Subject).ToArray(),
                markers = steps.Select(s => s.Step.Markers == StepMarkers.None ? "" : s.Step.Markers.ToString().Replace(" ", "", StringComparison.Ordinal)).ToArray(),
                occurredOn = steps.Select(s => s.Step.OccurredOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray(),
                records = steps.Select(s => s.RecordJson).ToArray(),
                details = steps.Select(s => s.DetailsJson).ToArray(),
                handoverIds = steps.Select(s => s.HandoverId).ToArray(),
                endsEpisode = steps.Select(s => s.Step.EndsAnEpisode).ToArray(),
            },
            transaction);
    }
}

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

