namespace StepUpDown.Integration.Mail;

/// <summary>
/// The relay was not reached for this message: the connection, its greeting, TLS or the login
/// (<see cref="RelayLoginGate"/>) failed. Worth another try once the relay answers; the relay probe
/// brings such notices forward. Its message is the service's own words, never the server's.
/// </summary>
public class RelayNotReachedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RelayNotReachedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public RelayNotReachedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RelayNotReachedException()
    {
    }
}
