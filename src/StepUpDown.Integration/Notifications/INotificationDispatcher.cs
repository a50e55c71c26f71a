using Hangfire;
using StepUpDown.Domain.Notifications;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Telemetry;

namespace StepUpDown.Integration.Notifications;

/// <summary>Starts delivery of ledger rows once they are committed.</summary>
public interface INotificationDispatcher
{
    /// <summary>Asks for the pending ledger rows to be delivered soon.</summary>
    void ScheduleDispatch();
}
