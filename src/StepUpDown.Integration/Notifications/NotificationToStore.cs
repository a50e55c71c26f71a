namespace StepUpDown.Integration.Notifications;

/// <summary>A row to add to the delivery ledger.</summary>
public sealed record NotificationToStore(Guid Id, Guid StepId, string RecipientRole, string MessageId, string Template);
