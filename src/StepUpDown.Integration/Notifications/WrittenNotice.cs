namespace StepUpDown.Integration.Notifications;

/// <summary>
/// A notice written when it is added to the ledger, not composed at its attempt (a weekly digest:
/// what the week's open handovers were when it was written). Kept on the row until it is sent.
/// </summary>
/// <param name="MessageId">Its Message-Id.</param>
/// <param name="Name">Whom it is to, by name.</param>
/// <param name="Address">Where it goes.</param>
/// <param name="Reference">The reference in its subject and headers.</param>
/// <param name="Subject">Its subject.</param>
/// <param name="Text">Its plain-text body.</param>
/// <param name="Html">Its HTML body.</param>
public sealed record WrittenNotice(string MessageId, string Name, string Address, string Reference, string Subject, string Text, string Html);
