using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// One delivery attempt on a locked ledger row: it marks the row <c>sending</c> (committing, which
/// releases the lock) before the message goes out, and records the outcome in a transaction of its
/// own after.
/// </summary>
public sealed partial class LedgerAttempt : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly Guid _notificationId;
    private readonly InstanceLease _lease;
    private readonly Guid _token = Guid.NewGuid();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private NpgsqlConnection _connection;
    private NpgsqlTransaction _transaction;
    private bool _markedSending;
    private NotificationToStore? _ifBounced;

    internal LedgerAttempt(
        NpgsqlDataSource dataSource, NpgsqlConnection connection, NpgsqlTransaction transaction, Guid notificationId, LedgerRow row, InstanceLease lease, TimeProvider time, ILogger logger)
    {
        _logger = logger;
        _dataSource = dataSource;
        _connection = connection;
        _transaction = transaction;
        _notificationId = notificationId;
        _lease = lease;
        _time = time;
        Row = row;
    }

    /// <summary>The row's id.</summary>
    public Guid Id => _notificationId;

    /// <summary>The row as it was when locked.</summary>
    public LedgerRow Row { get; }

    /// <summary>The last failure recorded on the step's notice to <paramref name="recipientRole"/>.</summary>
    public Task<string?> LastErrorAsync(string recipientRole) => _connection.ExecuteScalarAsync<string?>(
        "SELECT last_error FROM stepupdown.notifications WHERE step_id = @StepId AND recipient_role = @recipientRole",
        new { Row.StepId, recipientRole },
        _transaction);

    /// <summary>
    /// Marks the attempt under way (stamped with this instance and this attempt's token) and
    /// commits: the row is <c>sending</c> until its outcome is recorded. Only while this
    /// instance's lease is alive: an instance paused past its lease (a GC or VM pause) while it
    /// held the row's lock marks nothing and sends nothing, since a peer may take the row once
    /// the lock is gone. This commit does not wait for the disk (<c>synchronous_commit = off</c>):
    /// if a crash loses it, the row is back to pending, which is what a crash mid-send means
    /// anyway. The outcome's commit waits as usual.
    /// </summary>
    /// <returns>False when this instance's lease had lapsed: nothing was marked, and nothing may be sent.</returns>
    public async Task<bool> MarkSendingAsync()
    {
        var marked = await _connection.ExecuteAsync(
            $"""
            SET LOCAL synchronous_commit = off;
            UPDATE stepupdown.notifications
               SET state = {NotificationStates.Sql(NotificationState.Sending)}, sending_since = now(), sending_by = @sender, sending_token = @token, attempts = attempts + 1
             WHERE id = @id AND {InstanceLease.IsAliveSql("@sender")}
            """,
            new { id = _notificationId, sender = _lease.Id, token = _token, aliveFor = _lease.AliveFor },
            _transaction);
        await _transaction.CommitAsync();
        _markedSending = marked == 1;
        return _markedSending;
    }

    /// <summary>
    /// True while this attempt still owns its row: the row is <c>sending</c> under this attempt's
    /// token and this instance's lease is alive (by the database's clock). Asked just before the
    /// message is handed to the relay, so a paused instance never sends a row a peer took over.
    /// </summary>
    public Task<bool> StillOwnsAsync(CancellationToken cancellationToken) =>
        _connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"""
            SELECT EXISTS (SELECT 1 FROM stepupdown.notifications
                            WHERE id = @id AND sending_token = @token AND state = {NotificationStates.Sql(NotificationState.Sending)})
                   AND {InstanceLease.IsAliveSql("@sender")}
            """,
            new { id = _notificationId, token = _token, sender = _lease.Id, aliveFor = _lease.AliveFor },
            cancellationToken: cancellationToken));

    /// <summary>
    /// Records the attempt's outcome and commits, in one statement: sent (or written, withheld),
    /// pending again until <paramref name="retryAfter"/> from now, or failed, adding
    /// <paramref name="alsoAdd"/> (the MASSH's notice of a failure) in the same transaction. Once
    /// the row was marked sending, nothing is written unless this attempt still holds it. The row's
    /// claim is let go: a pending row is any dispatch's once it is due. An attempt that never asked
    /// the relay (<see cref="Mail.RelayNotAskedException"/>) is recorded not <paramref name="counted"/>
    /// against the retries.
    /// </summary>
    /// <returns>False when a peer has taken the row over since: nothing was written.</returns>
    public async Task<bool> RecordAsync(
        NotificationState state, string? address, string? error, NotificationToStore? alsoAdd = null, DeliveryFailureKind? kind = null, TimeSpan? retryAfter = null, bool counted = true)
    {
        // Marking the row sending counted the attempt (so a message that crashes the process is not tried for ever).
        var attemptsAdded = (counted ? 1 : 0) - (_markedSending ? 1 : 0);
        var now = _time.GetUtcNow();
        if (_markedSending)
        {
            await _transaction.DisposeAsync();
            _transaction = await _connection.BeginTransactionAsync(CancellationToken.None);
        }

        // A bounce kept while the row was not yet sent (NotificationLedger.BounceAsync) applies the
        // moment it is: the row is recorded bounced, with the kept code and reason.
        var bounces = $"(@state = {NotificationStates.Sql(NotificationState.Sent)} AND kept_report_at IS NOT NULL)";
        var recorded = await _connection.QuerySingleOrDefaultAsync<string?>(
            $"""
            UPDATE stepupdown.notifications
               SET state = CASE WHEN {bounces} THEN {NotificationStates.Sql(NotificationState.Bounced)} ELSE @state END,
                   attempts = attempts + @attemptsAdded,
                   last_error = CASE WHEN {bounces} THEN kept_report_reason ELSE @error END,
                   report_status = CASE WHEN {bounces} THEN kept_report_status ELSE report_status END,
                   bounced_at = CASE WHEN {bounces} THEN kept_report_at ELSE bounced_at END,
                   sending_since = NULL, sending_token = NULL, recipient_address = COALESCE(@address, recipient_address),
                   failure_kind = @kind, next_attempt_at = now() + make_interval(secs => @retrySeconds), claimed_at = NULL, claimed_by = NULL,
                   sent_at = CASE WHEN @state IN ({NotificationStates.Sql(NotificationState.Sent)}, {NotificationStates.Sql(NotificationState.Written)}) THEN @now ELSE sent_at END,
                   -- A written notice (a digest) is kept until it has gone, no longer.
                   content = CASE WHEN @state IN ({NotificationStates.Sql(NotificationState.Sent)}, {NotificationStates.Sql(NotificationState.Written)}) THEN NULL ELSE content END
             WHERE id = @id AND (NOT @fenced OR sending_token = @token)
            RETURNING state
            """,
            new
            {
                id = _notificationId, state = NotificationStates.Column(state), address, error, attemptsAdded,
                fenced = _markedSending, token = _token, now,
                kind = kind is { } failure ? NotificationStates.Column(failure) : null, retrySeconds = retryAfter?.TotalSeconds,
            },
            _transaction);
        BouncedOnRecord = recorded == NotificationStates.Column(NotificationState.Bounced) && state == NotificationState.Sent;
        var add = BouncedOnRecord ? _ifBounced : alsoAdd;
        if (recorded is not null && add is not null)
        {
            await NotificationLedger.AddAsync(new UnitOfWork(_connection, _transaction, now), [add]);
        }

        await _transaction.CommitAsync();
        return recorded is not null;
    }

    /// <summary>The last record applied a bounce kept while the row was not yet sent: the row is bounced, and the MASSH's notice added.</summary>
    public bool BouncedOnRecord { get; private set; }

    /// <summary>
    /// Records what the relay accepted. Never turned into another attempt: if the database cannot
    /// be reached (a reset connection, a failover), it is tried again on a new connection, with
    /// backoff, for up to ten minutes; only then does the failure reach the caller.
    /// </summary>
    /// <returns>False when a peer has taken the row over since: nothing was written.</returns>
    /// <param name="state">Sent, or written to the outbox.</param>
    /// <param name="address">Where it went.</param>
    /// <param name="ifBounced">The MASSH's notice, added should a bounce kept for the row apply (null: the notice was the MASSH's own).</param>
    public Task<bool> RecordAcceptedAsync(NotificationState state, string? address, NotificationToStore? ifBounced = null) => DatabaseErrors.RecordAcceptedAsync(
        async retry =>
        {
            _ifBounced = ifBounced;
            if (retry)
            {
                // Inside the retried write: a database still down when the connection is opened is tried again too.
                await ReconnectAsync();
            }

            return await RecordAsync(state, address, null);
        },
        error => LogRecordRetried(_logger, _notificationId, error));

    private async Task ReconnectAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
        _connection = await _dataSource.OpenConnectionAsync(CancellationToken.None);
        _transaction = await _connection.BeginTransactionAsync(CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} was accepted by the relay but could not be recorded ({Error}); recording it again, not sending it again")]
    private static partial void LogRecordRetried(ILogger logger, Guid notificationId, string error);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
