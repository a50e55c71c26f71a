using System.Globalization;
using Dapper;
using Npgsql;

namespace StepUpDown.SsdFeed.ChangeLog;

/// <summary>One person's record as served, with what the log knows of it.</summary>
/// <param name="PersonId">The person.</param>
/// <param name="Hash">SHA-256 of the record's canonical JSON (without version and updatedAt).</param>
/// <param name="IsOpen">The record served last was open.</param>
/// <param name="Rank">Where the record served last stood (see <see cref="Reading.RecordReading.Rank"/>; 0 closed).</param>
public sealed record ServedPerson(string PersonId, byte[] Hash, bool IsOpen, int Rank);

/// <summary>A person's new record, ready to append.</summary>
public sealed record NewRecord(string PersonId, byte[] Hash, bool IsOpen, int Rank, Func<long, DateTimeOffset, string> Json);

/// <summary>A page of the log, as the contract's <c>ChangePage</c> serves it.</summary>
public sealed record LogPage(IReadOnlyList<string> Items, string? NextCursor, bool HasMore);

/// <summary>What the cursor asked for cannot be served from this log.</summary>
public enum CursorProblem
{
    /// <summary>None: the page is served.</summary>
    None,

    /// <summary>Not a cursor this feed writes (400).</summary>
    Malformed,

    /// <summary>A cursor of another log (the log was rebuilt) or past its end (410: restart without one).</summary>
    Expired,
}

/// <summary>
/// The feed's own change log in PostgreSQL (schema <c>ssdfeed</c>): each person's latest served
/// record and hash, and an append-only list of records in order of change. The dataset holds no
/// events, so this is the feed's memory of what it served. A record superseded by a newer one of
/// the same person is compacted away (a reader from any cursor still gets every person's latest),
/// so no cursor of this log ever expires; a cursor of another log (one rebuilt from empty) does.
/// </summary>
public sealed class ChangeLog(NpgsqlDataSource state)
{
    private const string Schema = """
        CREATE SCHEMA IF NOT EXISTS ssdfeed;
        CREATE TABLE IF NOT EXISTS ssdfeed.log (id integer PRIMARY KEY CHECK (id = 1), generation text NOT NULL);
        INSERT INTO ssdfeed.log (id, generation) VALUES (1, replace(gen_random_uuid()::text, '-', '')) ON CONFLICT DO NOTHING;
        CREATE TABLE IF NOT EXISTS ssdfeed.persons (
            person_id text PRIMARY KEY, hash bytea NOT NULL, version bigint NOT NULL, is_open boolean NOT NULL, rank integer NOT NULL, position bigint NOT NULL);
        CREATE TABLE IF NOT EXISTS ssdfeed.changes (position bigserial PRIMARY KEY, person_id text NOT NULL, record text NOT NULL);
        CREATE INDEX IF NOT EXISTS changes_person ON ssdfeed.changes (person_id, position);
        CREATE TABLE IF NOT EXISTS ssdfeed.refreshes (
            id bigserial PRIMARY KEY, finished_at timestamptz NOT NULL, outcome text NOT NULL, persons integer NOT NULL,
            changed integer NOT NULL, closing integer NOT NULL, open_before integer NOT NULL, detail text NULL);
        CREATE TABLE IF NOT EXISTS ssdfeed.acceptances (id bigserial PRIMARY KEY, accepted_at timestamptz NOT NULL, used_at timestamptz NULL);
        """;

    /// <summary>Creates the schema when it is not there (idempotent).</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await state.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(74201)", cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(Schema, cancellationToken: cancellationToken));
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(74201)");
        }
    }

    /// <summary>Every person the log has served, by id.</summary>
    public async Task<Dictionary<string, ServedPerson>> ServedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await state.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string PersonId, byte[] Hash, bool IsOpen, int Rank)>(
            new CommandDefinition("SELECT person_id, hash, is_open, rank FROM ssdfeed.persons", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.PersonId, r => new ServedPerson(r.PersonId, r.Hash, r.IsOpen, r.Rank), StringComparer.Ordinal);
    }

    /// <summary>
    /// Appends <paramref name="changed"/> (each at the person's next version, updated at
    /// <paramref name="refreshedAt"/>), no longer counts <paramref name="vanished"/> as open (they
    /// are not announced: their last record stays served), records the refresh, and compacts
    /// superseded records, in one transaction. Only one refresh writes at a time (an advisory lock
    /// held for the transaction).
    /// </summary>
    public async Task AppendAsync(
        IReadOnlyList<NewRecord> changed, IReadOnlyCollection<string> vanished, RefreshRecord refresh, DateTimeOffset refreshedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changed);
        await using var connection = await state.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(74202)", transaction: transaction, cancellationToken: cancellationToken));
        var versions = (await connection.QueryAsync<(string PersonId, long Version)>(new CommandDefinition(
                "SELECT person_id, version FROM ssdfeed.persons WHERE person_id = ANY(@ids)",
                new { ids = changed.Select(c => c.PersonId).ToArray() }, transaction, cancellationToken: cancellationToken)))
            .ToDictionary(r => r.PersonId, r => r.Version, StringComparer.Ordinal);

        await using (var writer = await connection.BeginBinaryImportAsync("COPY ssdfeed.changes (person_id, record) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var record in changed)
            {
                var version = versions.GetValueOrDefault(record.PersonId) + 1;
                versions[record.PersonId] = version;
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(record.PersonId, NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(record.Json(version, refreshedAt), NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ssdfeed.persons (person_id, hash, version, is_open, rank, position)
            SELECT u.person_id, u.hash, u.version, u.is_open, u.rank, c.position
            FROM unnest(@ids, @hashes, @versions, @open, @ranks) AS u(person_id, hash, version, is_open, rank)
            JOIN LATERAL (SELECT max(position) AS position FROM ssdfeed.changes WHERE person_id = u.person_id) c ON true
            ON CONFLICT (person_id) DO UPDATE SET hash = excluded.hash, version = excluded.version, is_open = excluded.is_open,
                rank = excluded.rank, position = excluded.position
            """,
            new
            {
                ids = changed.Select(c => c.PersonId).ToArray(),
                hashes = changed.Select(c => c.Hash).ToArray(),
                versions = changed.Select(c => versions[c.PersonId]).ToArray(),
                open = changed.Select(c => c.IsOpen).ToArray(),
                ranks = changed.Select(c => c.Rank).ToArray(),
            },
            transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ssdfeed.changes c USING ssdfeed.persons p WHERE c.person_id = p.person_id AND c.position < p.position AND p.person_id = ANY(@ids)",
            new { ids = changed.Select(c => c.PersonId).ToArray() }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ssdfeed.persons SET is_open = false, rank = 0 WHERE person_id = ANY(@ids)",
            new { ids = vanished.ToArray() }, transaction, cancellationToken: cancellationToken));
        await RecordAsync(connection, transaction, refresh, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Records a refresh that appended nothing (unchanged, refused or failed).</summary>
    public async Task RecordAsync(RefreshRecord refresh, CancellationToken cancellationToken)
    {
        await using var connection = await state.OpenConnectionAsync(cancellationToken);
        await RecordAsync(connection, null, refresh, cancellationToken);
    }

    /// <summary>The latest refresh, if any.</summary>
    public async Task<RefreshRecord?> LastRefreshAsync(CancellationToken cancellationToken)
    {
        await using var connection = await state.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RefreshRecord>(new CommandDefinition(
            """
            SELECT finished_at AS FinishedAt, outcome AS Outcome, persons AS Persons, changed AS Changed, closing AS Closing,
                   open_before AS OpenBefore, detail AS Detail
            FROM ssdfeed.refreshes ORDER BY id DESC LIMIT 1
            """, cancellationToken: cancellationToken));
    }

    /// <summary>An operator accepts the next refresh that would be refused as half-loaded.</summary>
    public async Task AcceptNextRefreshAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await state.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO ssdfeed.acceptances (accepted_at) VALUES (@now)", new { now }, cancellationToken: cancellationToken));
    }

    /// <summary>Uses an operator's acceptance, if one is waiting; true when one was.</summary>
    public async Task<bool> TakeAcceptanceAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await state.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ssdfeed.acceptances SET used_at = @now WHERE id = (SELECT min(id) FROM ssdfeed.acceptances WHERE used_at IS NULL)",
            new { now }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>The page after <paramref name="since"/>, oldest change first.</summary>
    public async Task<(LogPage? Page, CursorProblem Problem)> PageAsync(string? since, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await state.OpenConnectionAsync(cancellationToken);
        var (generation, end) = await connection.QuerySingleAsync<(string, long)>(new CommandDefinition(
            "SELECT generation, coalesce((SELECT max(position) FROM ssdfeed.changes), 0) FROM ssdfeed.log", cancellationToken: cancellationToken));
        var after = 0L;
        if (since is not null)
        {
            var parts = since.Split('.');
            if (parts.Length != 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out after))
            {
                return (null, CursorProblem.Malformed);
            }

            if (!string.Equals(parts[0], generation, StringComparison.Ordinal) || after > end)
            {
                return (null, CursorProblem.Expired);
            }
        }

        var rows = (await connection.QueryAsync<(long Position, string Record)>(new CommandDefinition(
            "SELECT position, record FROM ssdfeed.changes WHERE position > @after ORDER BY position LIMIT @take",
            new { after, take = limit + 1 }, cancellationToken: cancellationToken))).AsList();
        var items = rows.Take(limit).ToList();
        var last = items.Count > 0 ? items[^1].Position : after;
        var cursor = items.Count == 0 && since is null && end == 0 ? null : $"{generation}.{last.ToString(CultureInfo.InvariantCulture)}";
        return (new LogPage(items.Select(r => r.Record).ToList(), cursor, rows.Count > limit), CursorProblem.None);
    }

    /// <summary>A person's latest served record, if the log has one.</summary>
    public async Task<string?> LatestAsync(string personId, CancellationToken cancellationToken)
    {
        await using var connection = await state.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT c.record FROM ssdfeed.persons p JOIN ssdfeed.changes c ON c.position = p.position WHERE p.person_id = @personId",
            new { personId }, cancellationToken: cancellationToken));
    }

    private static Task<int> RecordAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, RefreshRecord refresh, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ssdfeed.refreshes (finished_at, outcome, persons, changed, closing, open_before, detail)
            VALUES (@FinishedAt, @Outcome, @Persons, @Changed, @Closing, @OpenBefore, @Detail);
            DELETE FROM ssdfeed.refreshes WHERE id <= (SELECT max(id) - 1000 FROM ssdfeed.refreshes);
            """, refresh, transaction, cancellationToken: cancellationToken));
}

/// <summary>How one refresh ended.</summary>
public sealed record RefreshRecord
{
    /// <summary>A refresh that appended what changed.</summary>
    public const string Served = "served";

    /// <summary>A refresh refused as half-loaded: the last good state is still served.</summary>
    public const string Refused = "refused";

    /// <summary>A refresh that could not read the dataset.</summary>
    public const string Failed = "failed";

    /// <summary>When it ended (UTC).</summary>
    public DateTime FinishedAt { get; init; }

    /// <summary><see cref="Served"/>, <see cref="Refused"/> or <see cref="Failed"/>.</summary>
    public string Outcome { get; init; } = "";

    /// <summary>Persons with a record on the day.</summary>
    public int Persons { get; init; }

    /// <summary>Persons whose record changed (appended when served).</summary>
    public int Changed { get; init; }

    /// <summary>Open persons whose record would close or fall a level, or who are no longer in the dataset.</summary>
    public int Closing { get; init; }

    /// <summary>Open persons before the refresh.</summary>
    public int OpenBefore { get; init; }

    /// <summary>Why it was refused or failed (no personal data).</summary>
    public string? Detail { get; init; }
}
