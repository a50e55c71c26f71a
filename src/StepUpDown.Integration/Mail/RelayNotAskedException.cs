namespace StepUpDown.Integration.Mail;

/// <summary>
/// The relay was not even asked: it refused a login less than 15 seconds ago, and
/// <see cref="RelayLoginGate"/> lets no other through until then. A notice's attempt that ends so
/// is not counted against its retries: a refusal lasting hours must not use them up.
/// </summary>
public sealed class RelayNotAskedException : RelayNotReachedException
{
    /// <summary>Creates the exception.</summary>
    public RelayNotAskedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public RelayNotAskedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RelayNotAskedException()
    {
    }
}
