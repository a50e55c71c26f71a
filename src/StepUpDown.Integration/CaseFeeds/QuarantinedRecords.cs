using Dapper;
using Npgsql;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>A quarantined record as ops and the MASSH see it: where, which case, why (field names and offsets, never values).</summary>
/// <param name="Source">The case system.</param>
/// <param name="ChildId">The case id, when the item had a readable one.</param>
/// <param name="Reason">Why it could not be used.</param>
/// <param name="Since">When the child's first record still set aside was received.</param>
public sealed record QuarantinedCase(string Source, string? ChildId, string Reason, DateTime Since);

/// <summary>
/// The records set aside and not yet resolved: a quarantine row goes when a later version of the
/// same child is stored (<see cref="CaseFeedStore"/>), or with the retention purge. Each is a
/// child the worker cannot see, so none is silent (design: Quarantine is never silent).
/// </summary>
public static class QuarantinedRecords
{
    /// <summary>When the oldest unresolved record was received, and how many cases are unresolved.</summary>
    public static Task<(DateTime? Oldest, long Count)> SummaryAsync(NpgsqlConnection connection) =>
        connection.QuerySingleAsync<(DateTime?, long)>(
            "SELECT min(received_at), count(DISTINCT (source, coalesce(child_id, id::text))) FROM stepupdown.quarantined_records");

    /// <summary>
    /// One line per case (the latest reason, since the first), by source and case id; records with
    /// no readable case id one line each. At most <paramref name="limit"/>.
    /// </summary>
    public static async Task<IReadOnlyList<QuarantinedCase>> ListAsync(NpgsqlConnection connection, int limit) =>
        (await connection.QueryAsync<QuarantinedCase>(Cases, new { limit })).AsList();

    /// <summary>As <see cref="ListAsync"/>, synchronously: Hangfire writes its pages so.</summary>
    public static IReadOnlyList<QuarantinedCase> List(NpgsqlConnection connection, int limit) =>
        connection.Query<QuarantinedCase>(Cases, new { limit }).AsList();

    private const string Cases =
        """
        SELECT source AS Source, child_id AS ChildId, reason AS Reason, since AS Since FROM (
            SELECT DISTINCT ON (source, coalesce(child_id, id::text)) source, child_id, reason,
                   min(received_at) OVER (PARTITION BY source, coalesce(child_id, id::text)) AS since
              FROM stepupdown.quarantined_records
             ORDER BY source, coalesce(child_id, id::text), id DESC) AS cases
        ORDER BY source, since, child_id LIMIT @limit
        """;
}
