using Microsoft.Extensions.Options;
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Telemetry;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// Delivers committed ledger rows: the only driver of a notice's attempts. It claims a batch of
/// due rows that no one owns (<c>claimed_at</c> set, <c>SKIP LOCKED</c>, committed at once) and
/// makes each row's attempt, as many at a time in this process as the SMTP pool has connections
/// (however many dispatch jobs run, so that between them they hold no more database connections
/// than that). An attempt records its own outcome on the row: sent, pending until its next attempt
/// (<see cref="RetrySchedule"/>), or failed with the MASSH told. Once an attempt of a batch never
/// reached the relay, the batch's rows not yet tried wait for the relay untried (no attempt
/// counted) and the dispatch stops: an outage costs one attempt per dispatch, not one per waiting
/// notice, and <see cref="RelayRecovery"/> makes every waiting notice due when the relay answers again.
/// <para>
/// Why attempts are not Hangfire jobs: a job costs about 20 database statements, which capped
/// delivery below the rate at which a busy council's steps arrive (bench/README.md), and a job's
/// state beside the row's was a second state machine whose seams lost notices. A claim is stamped
/// with this instance's lease (<see cref="InstanceLease"/>): once its holder has stopped
/// heartbeating (killed, or cut off from the database) the next dispatch, of a peer or of the
/// restarted process, claims it again; the ledger still sends it once. A claim neither delivered
/// nor let go after <see cref="StaleAfter"/> is claimed again whoever holds it (a safety net for a
/// live process that lost track of it).
/// </para>
/// </summary>
public sealed class NotificationDispatcher(
    NotificationLedger ledger,
    NotificationDelivery delivery,
    INotificationDispatcher scheduler,
    RelayRecovery relay,
    RetrySchedule schedule,
    IOptions<MailOptions> mail,
    IOptions<LeaseOptions> leases,
    StepUpDownMetrics metrics) : IDisposable
{
    private readonly SemaphoreSlim _attempts = new(mail.Value.Smtp.MaxConnections, mail.Value.Smtp.MaxConnections);
    private readonly SemaphoreSlim _claiming = new(1, 1);

    /// <summary>The rows this process's dispatches are working on: its other claims were left by a dispatch that failed.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, byte> _working = new();

    /// <summary>How long a claim waits to be delivered or let go before it is claimed again (<c>Jobs:StaleClaimAfter</c>).</summary>
    public TimeSpan StaleAfter => leases.Value.StaleClaimAfter;

    private const int BatchSize = 100;

    /// <summary>Delivers every due row no one owns, until a batch runs short or the relay is not reached; returns how many it claimed.</summary>
    public async Task<int> DispatchPendingAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var claimed = await ClaimAsync(cancellationToken);
            var (relayReached, inFlight) = (true, 0);
            try
            {
                (relayReached, inFlight) = await DeliverAsync(claimed, cancellationToken);
            }
            finally
            {
                // What was not tried waits for the relay if it was not reached; else (shutdown, the database
                // gone) it is free for the next dispatch at once (and if the database is gone, this
                // process's next dispatch takes its own claims back).
                await LetGoUntriedAsync(claimed, relayReached);
                foreach (var id in claimed)
                {
                    _working.TryRemove(id, out _);
                }
            }

            // A batch whose every row was another attempt's, still under way, is let go: claiming it
            // again at once would only find them so again.
            total += claimed.Count;
            if (claimed.Count < BatchSize || !relayReached || inFlight == claimed.Count)
            {
                metrics.OldestUndelivered(await ledger.OldestUndeliveredAsync(cancellationToken));
                return total;
            }
        }
    }

    private async Task LetGoUntriedAsync(List<Guid> claimed, bool relayReached)
    {
        try
        {
            if (relayReached)
            {
                await ledger.ReleaseAsync(claimed);
            }
            else
            {
                await ledger.DeferUntriedAsync(claimed, schedule.Untried);
            }
        }
        catch (Exception exception) when (exception is Npgsql.NpgsqlException or TimeoutException)
        {
            // The database is gone: the claims lapse with this instance's lease, or at StaleClaimAfter.
        }
    }

    /// <summary>
    /// Claims the next batch. One claim at a time in this process: between a claim's commit and
    /// its rows joining <see cref="_working"/>, another dispatch here would take them for claims a
    /// failed dispatch left, and both would make the attempt.
    /// </summary>
    private async Task<List<Guid>> ClaimAsync(CancellationToken cancellationToken)
    {
        await _claiming.WaitAsync(cancellationToken);
        try
        {
            var claimed = await ledger.ClaimAsync(BatchSize, _working.Keys.ToArray(), StaleAfter, delivery.AttemptTimeout, cancellationToken);
            foreach (var id in claimed)
            {
                _working[id] = 0;
            }

            return claimed;
        }
        finally
        {
            _claiming.Release();
        }
    }

    /// <summary>
    /// Makes each claimed row's attempt. Says whether the relay was reached (once an attempt did
    /// not, the rest are left untried), and how many rows were another attempt's still under way.
    /// </summary>
    private async Task<(bool RelayReached, int InFlight)> DeliverAsync(List<Guid> claimed, CancellationToken cancellationToken)
    {
        var relayNotReached = false;
        var inFlight = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = mail.Value.Smtp.MaxConnections, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(claimed, parallel, async (id, _) =>
        {
            if (Volatile.Read(ref relayNotReached))
            {
                return;
            }

            if (relay.RefusingLogins)
            {
                // The relay refused a login moments ago: this attempt would not ask it. The batch waits, untried.
                Volatile.Write(ref relayNotReached, true);
                return;
            }

            // The dispatch's own token, not the loop's: when one attempt throws (its database gone),
            // the loop cancels its token, and an attempt the relay may be accepting this moment must
            // not be cut off, or the relay would hold a message the ledger does not know was sent.
            DeliveryOutcome outcome;
            await _attempts.WaitAsync(cancellationToken);
            try
            {
                outcome = await delivery.DeliverAsync(id, cancellationToken);
            }
            finally
            {
                _attempts.Release();
            }

            if (outcome.NoticeAdded)
            {
                scheduler.ScheduleDispatch();
            }

            if (outcome.Result == DeliveryResult.InFlight)
            {
                Interlocked.Increment(ref inFlight);
            }

            if (outcome.RelayNotReached)
            {
                Volatile.Write(ref relayNotReached, true);
                relay.FoundNotReached();
            }
        });
        return (!relayNotReached, inFlight);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _attempts.Dispose();
        _claiming.Dispose();
    }
}
