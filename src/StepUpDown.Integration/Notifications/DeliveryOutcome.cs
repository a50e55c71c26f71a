namespace StepUpDown.Integration.Notifications;

/// <summary>The outcome of one attempt, for the dispatch to act on.</summary>
/// <param name="Result">What the attempt came to.</param>
/// <param name="FailureKind">For <see cref="DeliveryResult.TryAgain"/> and <see cref="DeliveryResult.Failed"/>: why, in kind.</param>
/// <param name="NoticeAdded">The attempt added a notice to the ledger (the MASSH's, of a failure) that wants dispatching.</param>
public sealed record DeliveryOutcome(DeliveryResult Result, DeliveryFailureKind? FailureKind = null, bool NoticeAdded = false)
{
    /// <summary>The outcome of a row that needs nothing more.</summary>
    public static readonly DeliveryOutcome Done = new(DeliveryResult.Done);

    /// <summary>The attempt never reached the relay: the rest of the dispatch's batch waits rather than try it too.</summary>
    public bool RelayNotReached => FailureKind == DeliveryFailureKind.NotReached;
}
