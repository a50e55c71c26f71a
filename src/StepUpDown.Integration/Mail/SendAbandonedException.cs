namespace StepUpDown.Integration.Mail;

/// <summary>
/// A send abandoned before the message reached the relay: the attempt no longer owns its row (its
/// lease lapsed, a peer took the row over). Nothing is recorded: the row is the peer's.
/// </summary>
public sealed class SendAbandonedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SendAbandonedException()
        : base("The attempt no longer owns its row; nothing was sent.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public SendAbandonedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public SendAbandonedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
