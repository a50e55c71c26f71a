namespace StepUpDown.Integration.Mail;

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
