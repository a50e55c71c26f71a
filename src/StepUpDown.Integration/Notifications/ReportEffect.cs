namespace StepUpDown.Integration.Notifications;

/// <summary>What a delivery report did to the ledger.</summary>
public enum ReportEffect
{
    /// <summary>No notice has the report's id: the report is someone else's, or its notice was purged.</summary>
    NoSuchNotice,

    /// <summary>The notice's row was already as the report says (read twice, or not a sent row).</summary>
    Unchanged,

    /// <summary>Recorded on the notice's row.</summary>
    Recorded,

    /// <summary>A bounce for a row not yet recorded as sent: kept on the row, applied the moment it is.</summary>
    Kept,
}
