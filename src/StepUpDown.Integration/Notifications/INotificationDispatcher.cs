namespace StepUpDown.Integration.Notifications;

/// <summary>Starts delivery of ledger rows once they are committed.</summary>
public interface INotificationDispatcher
{
    /// <summary>Asks for the pending ledger rows to be delivered soon.</summary>
    void ScheduleDispatch();
}
