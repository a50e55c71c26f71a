namespace StepUpDown.Integration.Mail;

/// <summary>The last read of a mailbox, for readiness.</summary>
public class MailboxStatus
{
    private readonly Lock _gate = new();
    private (DateTimeOffset At, string? Error)? _last;
    private long _turnsWaited;

    /// <summary>How many times this instance found a peer reading the mailbox and waited its turn.</summary>
    public long TurnsWaited => Interlocked.Read(ref _turnsWaited);

    /// <summary>When the mailbox was last read, and the exception's type if that read failed; null before the first read.</summary>
    public (DateTimeOffset At, string? Error)? Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>
    /// Runs one read of the mailbox and records how it ended: when, and the exception's type if it
    /// failed (never its message: a server's words may quote an address). The failure is rethrown.
    /// </summary>
    internal async Task<T> RecordAsync<T>(Func<Task<T>> read, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            var result = await read();
            Succeeded(time.GetUtcNow());
            return result;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(time.GetUtcNow(), exception.GetType().Name);
            throw;
        }
    }

    internal void WaitedTurn() => Interlocked.Increment(ref _turnsWaited);

    internal void Succeeded(DateTimeOffset at)
    {
        lock (_gate)
        {
            _last = (at, null);
        }
    }

    internal void Failed(DateTimeOffset at, string error)
    {
        lock (_gate)
        {
            _last = (at, error);
        }
    }
}
