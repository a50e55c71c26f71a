using System.Data;
using Dapper;
using Npgsql;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// One transaction on one connection, and the time it began: what the stores read and write
/// through. A store is an instance over one (<c>new ChildStore(work)</c>), so what several owners
/// write in it (a page's records, steps, notices and handovers) commits together or not at all,
/// every row stamped with the same time. Its statements are Dapper's, run in the transaction.
/// </summary>
public sealed class UnitOfWork : IAsyncDisposable
{
    private readonly DateTimeOffset? _now;

    /// <summary>A unit over <paramref name="transaction"/> (already begun), its rows stamped <paramref name="now"/>.</summary>
    public UnitOfWork(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now)
        : this(connection, transaction, (DateTimeOffset?)now)
    {
    }

    private UnitOfWork(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset? now)
    {
        Connection = connection;
        Transaction = transaction;
        _now = now;
    }

    /// <summary>The connection, for what is not a statement of the transaction's own (a lock held past it).</summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>The transaction every statement runs in.</summary>
    public NpgsqlTransaction Transaction { get; }

    /// <summary>When the unit began: the time the rows it writes are stamped with.</summary>
    /// <exception cref="InvalidOperationException">The unit only reads (<see cref="BeginReadingAsync"/>).</exception>
    public DateTimeOffset Now => _now ?? throw new InvalidOperationException("A unit begun for reading stamps no rows: begin one with the time its rows are written at.");

    /// <summary>Begins a transaction on <paramref name="connection"/> (open), its rows stamped <paramref name="now"/>.</summary>
    public static async Task<UnitOfWork> BeginAsync(
        NpgsqlConnection connection, DateTimeOffset now, CancellationToken cancellationToken, IsolationLevel isolation = IsolationLevel.ReadCommitted)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new UnitOfWork(connection, await connection.BeginTransactionAsync(isolation, cancellationToken), now);
    }

    /// <summary>
    /// Begins a unit that only reads, all from one snapshot (repeatable read): a child's records
    /// and what happened to them, as they stood together. It stamps no rows, so it has no
    /// <see cref="Now"/>.
    /// </summary>
    public static async Task<UnitOfWork> BeginReadingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new UnitOfWork(connection, await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken), null);
    }

    /// <summary>Commits what the unit wrote.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    /// <summary>Rolls back what was not committed.</summary>
    public ValueTask DisposeAsync() => Transaction.DisposeAsync();

    /// <summary>Runs <paramref name="sql"/>; the rows it affected.</summary>
    public Task<int> ExecuteAsync(string sql, object? parameters = null) => Connection.ExecuteAsync(sql, parameters, Transaction);

    /// <summary>The first column of the first row of <paramref name="sql"/>.</summary>
    public Task<T?> ExecuteScalarAsync<T>(string sql, object? parameters = null) => Connection.ExecuteScalarAsync<T>(sql, parameters, Transaction);

    /// <summary>The rows of <paramref name="sql"/>, each as a <typeparamref name="T"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null) =>
        (await Connection.QueryAsync<T>(sql, parameters, Transaction)).AsList();

    /// <summary>The one row of <paramref name="sql"/>, or the default when there is none.</summary>
    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters = null) =>
        Connection.QuerySingleOrDefaultAsync<T>(sql, parameters, Transaction);
}
