using Dapper;
using Npgsql;
using StepUpDown.Domain.Detection;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>Where a source's position in its feed stands.</summary>
/// <param name="Cursor">The feed's cursor after the last committed page; null before the first.</param>
/// <param name="BaselineCompleted">False until the first full read of the source has finished.</param>
public sealed record SourcePosition(string? Cursor, bool BaselineCompleted);

/// <summary>A record to store as the child's latest in its source.</summary>
public sealed record RecordToStore(string ChildId, long Version, string LevelCode, string? NhsNumber, string Json);

/// <summary>A detected step and the record that showed it.</summary>
public sealed record StepToStore(string ChildId, DetectedStep Step, string RecordJson);

/// <summary>A notification to add to the delivery ledger.</summary>
public sealed record NotificationToStore(Guid Id, Guid StepId, string RecipientRole, string MessageId);

/// <summary>A record that could not be used, and why.</summary>
public sealed record QuarantinedRecord(string? ChildId, string Reason, string Payload);

/// <summary>Everything one page produced, written in one transaction with the cursor after it.</summary>
public sealed record PageWrite(
    string Source,
    IReadOnlyList<RecordToStore> Records,
    IReadOnlyList<StepToStore> Steps,
    IReadOnlyList<NotificationToStore> Notifications,
    IReadOnlyList<QuarantinedRecord> Quarantined,
    SourcePosition Position);

/// <summary>The worker's state per source: cursors, last records, steps, quarantine.</summary>
public sealed class CaseFeedStore(TimeProvider time)
{
    /// <summary>The source's position; a source never polled has none.</summary>
    public static async Task<SourcePosition> GetPositionAsync(NpgsqlConnection connection, string source)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await connection.QuerySingleOrDefaultAsync<SourcePosition>(
                   "SELECT cursor, baseline_completed AS BaselineCompleted FROM stepupdown.source_cursors WHERE source = @source",
                   new { source })
               ?? new SourcePosition(null, false);
    }

    /// <summary>What is stored for these children in one round trip.</summary>
    public static async Task<Dictionary<string, StoredState>> LoadStatesAsync(NpgsqlConnection connection, string source, IReadOnlyCollection<string> childIds)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rows = await connection.QueryAsync<(string ChildId, string LevelCode, long Version)>(
            "SELECT child_id, level_code, version FROM stepupdown.child_records WHERE source = @source AND child_id = ANY(@childIds)",
            new { source, childIds = childIds.ToArray() });
        return rows.ToDictionary(r => r.ChildId, r => new StoredState(r.LevelCode, r.Version), StringComparer.Ordinal);
    }

    /// <summary>
    /// Commits the page's records, steps, notifications and quarantined records together with
    /// the cursor after it: a crash leaves either all of it or none.
    /// </summary>
    /// <returns>The ids of the notifications this write added (re-detected ones are not added twice).</returns>
    public async Task<IReadOnlyList<Guid>> SavePageAsync(NpgsqlConnection connection, PageWrite page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(page);
        var now = time.GetUtcNow();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await connection.ExecuteAsync(
            """
            INSERT INTO stepupdown.child_records (source, child_id, version, level_code, nhs_number, record, stored_at)
            SELECT @Source, r.child_id, r.version, r.level_code, r.nhs_number, r.record::jsonb, @now
            FROM unnest(@childIds, @versions, @levels, @nhsNumbers, @records) AS r(child_id, version, level_code, nhs_number, record)
            ON CONFLICT (source, child_id) DO UPDATE
               SET version = EXCLUDED.version, level_code = EXCLUDED.level_code, nhs_number = EXCLUDED.nhs_number,
                   record = EXCLUDED.record, stored_at = EXCLUDED.stored_at
             WHERE stepupdown.child_records.version < EXCLUDED.version;

            DELETE FROM stepupdown.quarantined_records WHERE source = @Source AND child_id = ANY(@childIds);
            """,
            new
            {
                page.Source,
                now,
                childIds = page.Records.Select(r => r.ChildId).ToArray(),
                versions = page.Records.Select(r => r.Version).ToArray(),
                levels = page.Records.Select(r => r.LevelCode).ToArray(),
                nhsNumbers = page.Records.Select(r => r.NhsNumber).ToArray(),
                records = page.Records.Select(r => r.Json).ToArray(),
            },
            transaction);

        await connection.ExecuteAsync(
            """
            INSERT INTO stepupdown.steps (id, source, child_id, kind, from_level, to_level, from_version, to_version, record, detected_at)
            SELECT s.id, @Source, s.child_id, s.kind, s.from_level, s.to_level, s.from_version, s.to_version, s.record::jsonb, @now
            FROM unnest(@ids, @childIds, @kinds, @fromLevels, @toLevels, @fromVersions, @toVersions, @records)
                 AS s(id, child_id, kind, from_level, to_level, from_version, to_version, record)
            ON CONFLICT (id) DO NOTHING
            """,
            new
            {
                page.Source,
                now,
                ids = page.Steps.Select(s => s.Step.Id).ToArray(),
                childIds = page.Steps.Select(s => s.ChildId).ToArray(),
                kinds = page.Steps.Select(s => s.Step.Kind.ToString()).ToArray(),
                fromLevels = page.Steps.Select(s => s.Step.From.Code).ToArray(),
                toLevels = page.Steps.Select(s => s.Step.To.Code).ToArray(),
                fromVersions = page.Steps.Select(s => s.Step.FromVersion).ToArray(),
                toVersions = page.Steps.Select(s => s.Step.ToVersion).ToArray(),
                records = page.Steps.Select(s => s.RecordJson).ToArray(),
            },
            transaction);

        var added = (await connection.QueryAsync<Guid>(
            """
            INSERT INTO stepupdown.notifications (id, step_id, recipient_role, state, message_id, created_at)
            SELECT n.id, n.step_id, n.role, 'pending', n.message_id, @now
            FROM unnest(@ids, @stepIds, @roles, @messageIds) AS n(id, step_id, role, message_id)
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            new
            {
                now,
                ids = page.Notifications.Select(n => n.Id).ToArray(),
                stepIds = page.Notifications.Select(n => n.StepId).ToArray(),
                roles = page.Notifications.Select(n => n.RecipientRole).ToArray(),
                messageIds = page.Notifications.Select(n => n.MessageId).ToArray(),
            },
            transaction)).ToList();

        await connection.ExecuteAsync(
            """
            INSERT INTO stepupdown.quarantined_records (source, child_id, reason, payload, received_at)
            SELECT @Source, q.child_id, q.reason, q.payload, @now
            FROM unnest(@childIds, @reasons, @payloads) AS q(child_id, reason, payload)
            """,
            new
            {
                page.Source,
                now,
                childIds = page.Quarantined.Select(q => q.ChildId).ToArray(),
                reasons = page.Quarantined.Select(q => q.Reason).ToArray(),
                payloads = page.Quarantined.Select(q => q.Payload).ToArray(),
            },
            transaction);

        await connection.ExecuteAsync(
            """
            INSERT INTO stepupdown.source_cursors (source, cursor, baseline_completed, last_polled_at, updated_at)
            VALUES (@Source, @Cursor, @BaselineCompleted, @now, @now)
            ON CONFLICT (source) DO UPDATE
               SET cursor = EXCLUDED.cursor, baseline_completed = EXCLUDED.baseline_completed,
                   last_polled_at = EXCLUDED.last_polled_at, updated_at = EXCLUDED.updated_at
            """,
            new { page.Source, page.Position.Cursor, page.Position.BaselineCompleted, now },
            transaction);

        await transaction.CommitAsync(cancellationToken);
        return added;
    }
}
