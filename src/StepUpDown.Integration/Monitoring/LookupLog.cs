using Dapper;
using Npgsql;

namespace StepUpDown.Integration.Monitoring;

/// <summary>
/// The lead lookup's access log: who asked about which child, and when. Each lookup is one row
/// (the caller's name: a dashboard account or an API key's name; the record the answer came from,
/// or the record asked about when none was found; never an NHS number). The child's audit trail
/// shows them; the retention purge removes them with the ledger.
/// </summary>
public sealed class LookupLog(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>Records one lookup.</summary>
    public async Task RecordAsync(string caller, string? source, string? childId, bool answered, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO stepupdown.lookups (looked_up_at, caller, source, child_id, answered) VALUES (@now, @caller, @source, @childId, @answered)",
            new { now = time.GetUtcNow(), caller, source, childId, answered },
            cancellationToken: cancellationToken));
    }
}
