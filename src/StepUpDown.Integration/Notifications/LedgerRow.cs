using StepUpDown.Domain.Detection;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// One ledger row with the step it is about: what an attempt composes its message from. A notice
/// about no step (a weekly digest) has <see cref="Written"/> instead, and empty step fields.
/// </summary>
public sealed record LedgerRow(
    Guid StepId,
    NotificationState State,
    int Attempts,
    bool SendingRecently,
    bool Waited,
    Guid? SendingBy,
    bool SenderAlive,
    string RecipientRole,
    string MessageId,
    string? Template,
    string Source,
    string ChildId,
    string Kind,
    string FromLevel,
    string ToLevel,
    string Markers,
    string? Subject,
    string RecordJson,
    string? DetailsJson,
    DateTime DetectedAt = default,
    Guid? HandoverId = null,
    WrittenNotice? Written = null)
{
    /// <summary>The step's markers, parsed.</summary>
    public StepMarkers StepMarkers => string.IsNullOrEmpty(Markers) ? StepMarkers.None : Enum.Parse<StepMarkers>(Markers);
}
