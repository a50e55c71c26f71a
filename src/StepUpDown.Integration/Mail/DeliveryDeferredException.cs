namespace StepUpDown.Integration.Mail;

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
