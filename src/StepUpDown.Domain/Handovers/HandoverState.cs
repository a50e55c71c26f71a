namespace StepUpDown.Domain.Handovers;

/// <summary>Where a handover stands: open until the sweep completes or withdraws it.</summary>
public enum HandoverState
{
    /// <summary>Under way: reviewed by every sweep, escalated when it stalls.</summary>
    Open,

    /// <summary>No longer needed (the child stepped back up, a new agreement superseded it, the step down was reversed).</summary>
    Withdrawn,

    /// <summary>Every checklist item done: the GP, the new lead and the MASSH were told who leads.</summary>
    Complete,
}
