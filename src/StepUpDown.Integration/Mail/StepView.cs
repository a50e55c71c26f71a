namespace StepUpDown.Integration.Mail;

/// <summary>The step, as a notice names it.</summary>
/// <param name="Kind">E.g. "Step up".</param>
/// <param name="Code">The step kind's code, e.g. <c>StepUp</c>, for conditions in templates.</param>
/// <param name="IsStepUp">True for a step up.</param>
/// <param name="FromLevel">The child's level before.</param>
/// <param name="ToLevel">The child's level after.</param>
/// <param name="IsReReferral">A step up within 12 months of a completed step down.</param>
/// <param name="IsUnplanned">A step down nobody agreed.</param>
/// <param name="IsNonEngagement">A step out for non-engagement: a risk assessment is needed.</param>
/// <param name="IsPlanEnded">A step down to universal: no plan is open any more.</param>
/// <param name="IsRoutineClosure">A closure to universal that nobody needed to agree (e.g. needs met): no handover.</param>
/// <param name="PreviousPracticeOdsCode">For a change of GP practice: the practice the child left.</param>
/// <param name="ConflictingRecord">For an identity conflict: the other record (its case system and case id).</param>
/// <param name="IsHandoverNotTracked">A step down from a source that records no agreements: no handover is tracked.</param>
public sealed record StepView(
    string Kind,
    string Code,
    bool IsStepUp,
    string FromLevel,
    string ToLevel,
    bool IsReReferral,
    bool IsUnplanned,
    bool IsNonEngagement,
    bool IsPlanEnded,
    bool IsRoutineClosure,
    string? PreviousPracticeOdsCode,
    string? ConflictingRecord = null,
    bool IsHandoverNotTracked = false);
