using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Telemetry;

namespace StepUpDown.Integration.Notifications;

/// <summary>Starts delivery of ledger rows once they are committed.</summary>
public interface INotificationDispatcher
{
    /// <summary>Asks for the pending ledger rows to be delivered soon.</summary>
    void ScheduleDispatch();
}

/// <summary>Schedules a <see cref="DispatchNotificationsJob"/>: the poll path pays for one job per page, not one per row.</summary>
public sealed class DispatchJobScheduler(IBackgroundJobClient jobs) : INotificationDispatcher
{
    /// <inheritdoc />
    public void ScheduleDispatch() => jobs.Enqueue<DispatchNotificationsJob>(job => job.ExecuteAsync(CancellationToken.None));
}

/// <summary>
/// Delivers committed ledger rows. It claims a batch of rows that no one owns (<c>claimed_at</c>
/// set, <c>SKIP LOCKED</c>, committed at once) and makes each row's first attempt itself, as many
/// at a time in this process as the SMTP pool has connections (however many dispatch jobs run, so
/// that between them they hold no more database connections than that). A row whose first
/// attempt fails gets its own <see cref="SendNotificationJob"/>, which owns it from then on
/// (<c>job_id</c>): enqueued when another try may help, created Failed with its reason when it
/// cannot. After a transient failure the rest of the batch goes straight to jobs, so an SMTP
/// outage is waited out by Hangfire's backoff, one job per (step, recipient), not by this dispatch.
/// <para>
/// Why the first attempt is not a job of its own: a Hangfire job costs about 20 database
/// statements, and on a small server that capped delivery below the rate at which a busy
/// council's steps arrive (bench/README.md). A claim is stamped with this instance's lease
/// (<see cref="InstanceLease"/>): once its holder has stopped heartbeating (killed, or cut off
/// from the database) the next dispatch, of a peer or of the restarted process, claims it again;
/// the ledger still sends it once. A claim neither delivered nor handed over after
/// <see cref="StaleAfter"/> is claimed again whoever holds it (a safety net for a live process
/// that lost track of it).
/// </para>
/// </summary>
public sealed partial class NotificationDispatcher(
    IBackgroundJobClient jobs,
    NotificationLedger ledger,
    NotificationDelivery delivery,
    INotificationDispatcher scheduler,
    IOptions<MailOptions> mail,
    IOptions<NotificationOptions> notifications,
    IOptions<LeaseOptions> leases,
    StepUpDownMetrics metrics,
    ILogger<NotificationDispatcher> logger) : IDisposable
{
    private readonly SemaphoreSlim _attempts = new(mail.Value.Smtp.MaxConnections, mail.Value.Smtp.MaxConnections);
    private readonly SemaphoreSlim _claiming = new(1, 1);

    /// <summary>The rows this process's dispatches are working on: its other claims were left by a dispatch that failed.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, byte> _working = new();

    /// <summary>How long a claim waits to be delivered or handed over before it is claimed again (<c>Jobs:StaleClaimAfter</c>).</summary>
    public TimeSpan StaleAfter => leases.Value.StaleClaimAfter;

    private const int BatchSize = 100;

    /// <summary>Delivers (or hands to delivery jobs) every row no one owns; returns how many it claimed.</summary>
    public async Task<int> DispatchPendingAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var claimed = await ClaimAsync(cancellationToken);
            try
            {
                await DeliverAsync(claimed, cancellationToken);
            }
            catch
            {
                // Shutdown, or the database gone: what was not delivered is free for the next dispatch at once
                // (and if the database is gone, this process's next dispatch takes its own claims back).
                await ledger.ReleaseAsync(claimed);
                throw;
            }
            finally
            {
                foreach (var id in claimed)
                {
                    _working.TryRemove(id, out _);
                }
            }

            total += claimed.Count;
            if (claimed.Count < BatchSize)
            {
                metrics.OldestUndelivered(await ledger.OldestUndeliveredAsync(cancellationToken));
                return total;
            }
        }
    }

    /// <summary>
    /// Claims the next batch. One claim at a time in this process: between a claim's commit and
    /// its rows joining <see cref="_working"/>, another dispatch here would take them for claims a
    /// failed dispatch left, and both would make the first attempt.
    /// </summary>
    private async Task<List<Guid>> ClaimAsync(CancellationToken cancellationToken)
    {
        await _claiming.WaitAsync(cancellationToken);
        try
        {
            var claimed = await ledger.ClaimAsync(BatchSize, _working.Keys.ToArray(), StaleAfter, cancellationToken);
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

    private async Task DeliverAsync(List<Guid> claimed, CancellationToken cancellationToken)
    {
        // Without first attempts here (Notifications:FirstAttemptByDispatch false) every row goes to its job.
        var handOverUntried = !notifications.Value.FirstAttemptByDispatch;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = mail.Value.Smtp.MaxConnections, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(claimed, parallel, async (id, token) =>
        {
            if (Volatile.Read(ref handOverUntried))
            {
                await HandOverAsync(id, failure: null);
                return;
            }

            DeliveryOutcome outcome;
            await _attempts.WaitAsync(token);
            try
            {
                outcome = await delivery.DeliverAsync(id, token);
            }
            finally
            {
                _attempts.Release();
            }

            if (outcome.NoticeAdded)
            {
                scheduler.ScheduleDispatch();
            }

            // In flight: another attempt is sending it and owns it. Done: nothing more to do.
            if (outcome.Result is DeliveryResult.TryAgain or DeliveryResult.Failed)
            {
                if (outcome.Result == DeliveryResult.TryAgain)
                {
                    Volatile.Write(ref handOverUntried, true);
                }

                await HandOverAsync(id, outcome.Failure);
            }
        });
    }

    /// <summary>Gives the row its own delivery job; <paramref name="failure"/> null: not tried here.</summary>
    private async Task HandOverAsync(Guid id, Exception? failure)
    {
        var jobId = failure is PermanentDeliveryException
            ? jobs.Create<SendNotificationJob>(job => job.ExecuteAsync(id, CancellationToken.None), new FailedState(failure))
            : jobs.Enqueue<SendNotificationJob>(job => job.ExecuteAsync(id, CancellationToken.None));
        await ledger.HandOverAsync(id, jobId);
        var reason = failure switch
        {
            null when !notifications.Value.FirstAttemptByDispatch => "every notice has its own job (Notifications:FirstAttemptByDispatch is false)",
            null => "not tried: the relay failed another attempt of this dispatch",
            PermanentDeliveryException permanent => permanent.Message,
            _ => failure.GetType().Name,
        };
        LogHandedOver(logger, id, jobId, reason);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _attempts.Dispose();
        _claiming.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {NotificationId} handed to delivery job {JobId}: {Reason}")]
    private static partial void LogHandedOver(ILogger logger, Guid notificationId, string jobId, string reason);
}

/// <summary>
/// Delivers the pending ledger rows (scheduled per page, and every 15 seconds as a safety net,
/// which also gives up the rows whose delivery job failed for good or was deleted, and sends the
/// notices waiting for a retry at once when the relay answers again). Not retried: the next run
/// is 15 seconds away.
/// </summary>
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class DispatchNotificationsJob(NotificationDispatcher dispatcher, GiveUpWhenRetriesRunOut giveUp, RelayRecovery relay)
{
    /// <summary>The recurring job id of the safety net.</summary>
    public const string RecurringJobId = "dispatch-notifications";

    /// <summary>Gives up the rows of ended jobs, brings retries forward if the relay is back, then delivers the pending rows.</summary>
    public Task ExecuteAsync(CancellationToken cancellationToken) => DatabaseErrors.GuardAsync(async () =>
    {
        await giveUp.GiveUpAsync();
        await relay.ProbeAsync(cancellationToken);
        await dispatcher.DispatchPendingAsync(cancellationToken);
    });
}
