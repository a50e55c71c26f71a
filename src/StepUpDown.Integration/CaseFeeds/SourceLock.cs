using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>
/// A session-level PostgreSQL advisory lock on one source, held on the poll's own connection:
/// only one instance polls a source at a time, and a crashed holder's lock goes with its
/// connection (unlike Hangfire's distributed lock, which waits out a timeout).
/// </summary>
internal sealed class SourceLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private SourceLock(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    /// <summary>Takes the source's lock, or returns null when another session holds it.</summary>
    public static async Task<SourceLock?> TryAcquireAsync(NpgsqlConnection connection, string source, CancellationToken cancellationToken)
    {
        var key = KeyFor(source);
        var acquired = await connection.ExecuteScalarAsync<bool>(
            new CommandDefinition("SELECT pg_try_advisory_lock(@key)", new { key }, cancellationToken: cancellationToken));
        return acquired ? new SourceLock(connection, key) : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.State == System.Data.ConnectionState.Open)
        {
            await _connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = _key });
        }
    }

    private static long KeyFor(string source) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("case-feed:" + source.ToUpperInvariant())), 0);
}
