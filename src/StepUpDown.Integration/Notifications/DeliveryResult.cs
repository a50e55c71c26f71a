namespace StepUpDown.Integration.Notifications;

/// <summary>What one delivery attempt came to.</summary>
public enum DeliveryResult
{
    /// <summary>The row is done: sent, written to the outbox, withheld, or done before.</summary>
    Done,

    /// <summary>Another live attempt is sending it and owns it.</summary>
    InFlight,

    /// <summary>Not delivered; the row is pending, due again at its next attempt.</summary>
    TryAgain,

    /// <summary>Not delivered, and trying again cannot help or its retries ran out: the row is failed and the MASSH told.</summary>
    Failed,
}
