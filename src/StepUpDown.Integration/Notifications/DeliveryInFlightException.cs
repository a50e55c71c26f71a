namespace StepUpDown.Integration.Notifications;

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
