using System.Text.RegularExpressions;
using Npgsql;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// What of a PostgreSQL error may be logged or kept in Hangfire's state: its SqlState and its
/// message with every quoted value cut out. Never its <c>Detail</c> or <c>Where</c>, which quote
/// the row (a child's name in a JSON document, a key's value).
/// </summary>
public static partial class DatabaseErrors
{
    /// <summary>SqlState and message, quoted values removed.</summary>
    public static string Describe(PostgresException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return $"{exception.SqlState}: {Quoted().Replace(exception.MessageText, "\"…\"")}";
    }

    /// <summary>
    /// True when the error is about the data being written (a data exception, a constraint, a
    /// program limit such as an index entry too large), so that setting the offending record aside
    /// lets the rest through. False for errors of the server or the connection, which say nothing
    /// about any one record.
    /// </summary>
    public static bool IsAboutTheData(PostgresException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.SqlState.StartsWith("22", StringComparison.Ordinal)
               || exception.SqlState.StartsWith("23", StringComparison.Ordinal)
               || exception.SqlState.StartsWith("54", StringComparison.Ordinal);
    }

    /// <summary>
    /// Writes what must not be lost once the relay has accepted a message (that it was sent): if the
    /// database cannot be reached (a reset connection, a terminated session, a failover), the write is
    /// tried again, with backoff, for up to ten minutes, so the message is never sent a second time
    /// for want of its record. A refusal of the row itself is not retried. <paramref name="write"/>
    /// is told when it is a retry, so that it can open a new connection.
    /// </summary>
    public static async Task<T> RecordAcceptedAsync<T>(Func<bool, Task<T>> write, Action<string> retrying)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(retrying);

        // Real time, not the business clock: this waits for a database, whatever Clock:Speed says.
        var trying = System.Diagnostics.Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(200);
        var retry = false;
        while (true)
        {
            try
            {
                return await write(retry);
            }
            catch (NpgsqlException exception) when (!(exception is PostgresException database && IsAboutTheData(database)) && trying.Elapsed < RecordAcceptedFor)
            {
                retrying(exception.GetType().Name);
                await Task.Delay(delay, TimeProvider.System);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                retry = true;
            }
        }
    }

    private static readonly TimeSpan RecordAcceptedFor = TimeSpan.FromMinutes(10);

    [GeneratedRegex("\"[^\"]*\"|'[^']*'")]
    private static partial Regex Quoted();
}

/// <summary>A PostgreSQL error, as safe to log and to keep in Hangfire: no inner exception, no row data.</summary>
public sealed class DatabaseFailureException : Exception
{
    /// <summary>Creates the exception from a safe description.</summary>
    public DatabaseFailureException(string message)
        : base($"Database error {message}")
    {
    }

    /// <summary>Creates the exception.</summary>
    public DatabaseFailureException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public DatabaseFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
