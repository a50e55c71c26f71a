namespace StepUpDown.Integration.Notifications;

/// <summary>
/// A delivery that retrying cannot fix (no mailbox, a 5xx SMTP reply, a template error): the
/// job fails at once, visible on the dashboard with this reason. Messages carry no personal data.
/// </summary>
public sealed class PermanentDeliveryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PermanentDeliveryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public PermanentDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PermanentDeliveryException()
    {
    }
}

/// <summary>
/// The SMTP server deferred the message (a 4xx reply): worth another try. Carries the reply's code
/// only, never the server's text, which may quote the address.
/// </summary>
public sealed class DeliveryDeferredException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeliveryDeferredException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DeliveryDeferredException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public DeliveryDeferredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Another attempt is sending this notification now: this one waits for Hangfire's next retry.</summary>
public sealed class DeliveryInFlightException : Exception
{
    /// <summary>Creates the exception for a notification (its id only).</summary>
    public DeliveryInFlightException(Guid notificationId)
        : base($"Notification {notificationId} is being sent by another attempt.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public DeliveryInFlightException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public DeliveryInFlightException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DeliveryInFlightException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The relay was not reached for this message: it refused the connection at its greeting, or the
/// login (<see cref="RelayLoginGate"/>). Worth another try once the relay answers; the relay probe
/// brings such notices forward. Its message is the service's own words, never the server's.
/// </summary>
public sealed class RelayNotReachedException : Exception
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
