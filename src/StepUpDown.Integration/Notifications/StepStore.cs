using StepUpDown.Domain.Detection;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// Writes steps, what the ledger's notices are about (the delivery ledger's own rows are
/// <see cref="NotificationLedger"/>'s). The page writer of the case feeds and the handover sweep
/// both add steps; this is their one owner.
/// Steps are keyed deterministically, so writing the same step twice (a replay, a re-run, a
/// second instance) adds nothing. An instance reads and writes in one <see cref="UnitOfWork"/>.
/// </summary>
public sealed class StepStore(UnitOfWork work)
{
    /// <summary>Every stored step of these (source, child id) records.</summary>
    public async Task<IReadOnlyList<StoredStep>> StepsOfAsync(string[] sources, string[] childIds) =>
        await work.QueryAsync<StoredStep>(
            """
            SELECT s.kind, s.detected_at AS DetectedAt, s.occurred_on AS OccurredOn
              FROM stepupdown.steps s WHERE (s.source, s.child_id) IN (SELECT * FROM unnest(@sources, @childIds))
            """,
            new { sources, childIds });

    /// <summary>Adds the steps not already stored.</summary>
    public Task AddStepsAsync(IReadOnlyList<StepToStore> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return work.ExecuteAsync(
            """
            INSERT INTO stepupdown.steps (id, source, child_id, kind, from_level, to_level, from_version, to_version,
                                          subject, markers, occurred_on, record, details, handover_id, ends_episode, detected_at)
            SELECT s.id, s.source, s.child_id, s.kind, s.from_level, s.to_level, s.from_version, s.to_version,
                   s.subject, string_to_array(s.markers, ','), s.occurred_on, s.record::jsonb, s.details::jsonb, s.handover_id, s.ends_episode, @now
            FROM unnest(@ids, @sources, @childIds, @kinds, @fromLevels, @toLevels, @fromVersions, @toVersions, @subjects, @markers, @occurredOn, @records, @details, @handoverIds, @endsEpisode)
                 AS s(id, source, child_id, kind, from_level, to_level, from_version, to_version, subject, markers, occurred_on, record, details, handover_id, ends_episode)
            ON CONFLICT (id) DO NOTHING
            """,
            new
            {
                now = work.Now,
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
                occurredOn = steps.Select(s => s.Step.OccurredOn).ToArray(),
                records = steps.Select(s => s.RecordJson).ToArray(),
                details = steps.Select(s => s.DetailsJson).ToArray(),
                handoverIds = steps.Select(s => s.HandoverId).ToArray(),
                endsEpisode = steps.Select(s => s.Step.EndsAnEpisode).ToArray(),
            });
    }
}
