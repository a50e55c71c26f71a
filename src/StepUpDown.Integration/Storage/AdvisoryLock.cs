using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// A session-level PostgreSQL advisory lock on one named piece of work (a source's poll, the
/// week's digests), held on the work's own connection: only one instance does it at a time, and a
/// crashed holder's lock goes with its connection (unlike Hangfire's distributed lock, which waits
/// out a timeout). While it holds the lock the session is ended after
/// <see cref="DatabaseSessionOptions.HungAfter"/> of silence (<c>idle_session_timeout</c>): a live
/// holder's driver pings it more often than that, a frozen one does not, so a hung holder's lock
/// is free within that time, and the work it was doing on that session can no longer commit.
/// </summary>
internal sealed class AdvisoryLock : IAsyncDisposable
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(100);
    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private AdvisoryLock(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    /// <summary>Takes the lock named <paramref name="name"/>, or returns null when another session holds it.</summary>
    public static async Task<AdvisoryLock?> TryAcquireAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        var key = KeyFor(name);
        var acquired = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"""
            SELECT CASE WHEN pg_try_advisory_lock(@key)
                        THEN set_config('idle_session_timeout', COALESCE(current_setting('{DatabaseSessionOptions.HungAfterSetting}', true), '0'), false) IS NOT NULL
                        ELSE false END
            """,
            new { key },
            cancellationToken: cancellationToken));
        return acquired ? new AdvisoryLock(connection, key) : null;
    }

    /// <summary>
    /// Takes the lock named <paramref name="name"/>, waiting up to <paramref name="wait"/> for
    /// another session to let it go; null when it is still held then.
    /// </summary>
    public static async Task<AdvisoryLock?> AcquireAsync(NpgsqlConnection connection, string name, TimeSpan wait, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await TryAcquireAsync(connection, name, cancellationToken) is { } acquired)
            {
                return acquired;
            }

            if (clock.Elapsed >= wait)
            {
                return null;
            }

            await Task.Delay(RetryEvery, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await _connection.ExecuteAsync("SELECT pg_advisory_unlock(@key), set_config('idle_session_timeout', '0', false)", new { key = _key });
        }
        catch (NpgsqlException)
        {
            // The session is gone (a reset, a failover), and its lock with it: nothing is left to release.
        }
    }

    /// <summary>The lock of one source's poll.</summary>
    public static string ForSource(string source) => "case-feed:" + source.ToUpperInvariant();

    private static long KeyFor(string name) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(name)), 0);
}
