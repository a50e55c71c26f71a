using Hangfire;

namespace StepUpDown.Integration.Handovers;

/// <summary>The recurring review of open handovers. The next run is its retry.</summary>
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class SweepHandoversJob(HandoverSweep sweep)
{
    /// <summary>The recurring job's id.</summary>
    public const string RecurringJobId = "sweep-handovers";

    /// <summary>Runs one sweep.</summary>
    public Task ExecuteAsync(CancellationToken cancellationToken) => sweep.SweepAsync(cancellationToken);
}

/// <summary>
/// The weekly digest to team managers (<c>Handovers:DigestCron</c>): writes them into the ledger,
/// whose dispatch sends them. Retried (a database restart); a re-run writes only those not written.
/// </summary>
[AutomaticRetry(Attempts = 5, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class SendHandoverDigestsJob(HandoverDigests digests)
{
    /// <summary>The recurring job's id.</summary>
    public const string RecurringJobId = "handover-digests";

    /// <summary>Writes this week's digests not yet written.</summary>
    public Task ExecuteAsync(CancellationToken cancellationToken) => digests.WriteAsync(cancellationToken);
}

/// <summary>Some handovers could not be reviewed (each error is kept on its row); the others were. Names ids only.</summary>
public sealed class HandoverReviewFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HandoverReviewFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public HandoverReviewFailedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public HandoverReviewFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
