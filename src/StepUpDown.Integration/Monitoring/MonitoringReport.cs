namespace StepUpDown.Integration.Monitoring;

/// <summary>
/// The MASSH's monitoring figures for one period (design.md "Monitoring"), computed from the
/// stored steps, handovers and delivery ledger. Every figure is a count or a number of days:
/// no child is named.
/// </summary>
/// <param name="From">The first day of the period (the council's date).</param>
/// <param name="To">The last day of the period, included.</param>
/// <param name="Steps">Steps by kind, source and levels.</param>
/// <param name="StepsPerWeek">Steps by the Monday of their week and kind, for the chart.</param>
/// <param name="StepDowns">Step downs planned (agreed), unplanned and routine closures.</param>
/// <param name="ReReferrals">Step ups within 12 months of a completed step down or a closure to universal, of all step ups.</param>
/// <param name="Durations">Handovers completed in the period: their lengths in working days.</param>
/// <param name="Stalled">Handovers escalated in the period, by the highest ladder stage sent in it.</param>
/// <param name="NonEngagementStepOuts">Step outs for non-engagement, of all step outs.</param>
/// <param name="Notices">Notices of the period's steps by recipient role and ledger state.</param>
/// <param name="NhsMatch">Steps at which a GP was to be told, and at how many the child's NHS number matched.</param>
/// <param name="Acceptances">Proposed leads who accepted in the period: how many by reply, and how long it took.</param>
public sealed record MonitoringReport(
    DateOnly From,
    DateOnly To,
    IReadOnlyList<StepCount> Steps,
    IReadOnlyList<WeekCount> StepsPerWeek,
    StepDownSplit StepDowns,
    Share ReReferrals,
    HandoverDurations Durations,
    IReadOnlyList<StageCount> Stalled,
    Share NonEngagementStepOuts,
    IReadOnlyList<NoticeCount> Notices,
    Share NhsMatch,
    LeadAcceptances? Acceptances = null)
{
    /// <summary>The national service's target for the NHS-number match rate.</summary>
    public const double NhsMatchTarget = 0.95;
}

/// <summary>How many steps of one kind, source and pair of levels.</summary>
/// <param name="Kind">The step's kind (<c>StepUp</c>, <c>StepDown</c>, ...).</param>
/// <param name="Source">The case system that showed it.</param>
/// <param name="FromLevel">The child's combined level before (continuum code).</param>
/// <param name="ToLevel">The child's combined level after.</param>
/// <param name="Count">How many.</param>
public sealed record StepCount(string Kind, string Source, string FromLevel, string ToLevel, int Count);

/// <summary>How many steps of one kind in one week.</summary>
/// <param name="WeekOf">The Monday the week starts on.</param>
/// <param name="Kind">The step's kind.</param>
/// <param name="Count">How many.</param>
public sealed record WeekCount(DateOnly WeekOf, string Kind, int Count);

/// <summary>The period's step downs by how they came about.</summary>
/// <param name="Planned">Agreed at a meeting beforehand.</param>
/// <param name="Unplanned">To a level above universal that nobody agreed.</param>
/// <param name="RoutineClosures">To universal, unagreed: a plan that ended (needs met).</param>
/// <param name="HandoverNotTracked">From a source that records no agreements (<c>TracksStepDownAgreements: false</c>): told, no handover tracked.</param>
public sealed record StepDownSplit(int Planned, int Unplanned, int RoutineClosures, int HandoverNotTracked = 0);

/// <summary>A part of a whole, and its rate (null when the whole is none).</summary>
/// <param name="Part">How many of the whole have the property.</param>
/// <param name="Whole">How many there are.</param>
public sealed record Share(int Part, int Whole)
{
    /// <summary><see cref="Part"/> / <see cref="Whole"/>; null when nothing was counted.</summary>
    public double? Rate => Whole == 0 ? null : (double)Part / Whole;
}

/// <summary>The lengths, in working days, of the handovers completed in the period.</summary>
/// <param name="Completed">How many completed.</param>
/// <param name="Median">The median length (interpolated, as a spreadsheet's MEDIAN); null when none completed.</param>
/// <param name="Percentile90">The 90th percentile (as a spreadsheet's PERCENTILE.INC); null when none completed.</param>
/// <param name="Buckets">How many completed within each band of working days.</param>
public sealed record HandoverDurations(int Completed, double? Median, double? Percentile90, IReadOnlyList<DurationBucket> Buckets);

/// <summary>How many handovers took a number of working days within a band.</summary>
/// <param name="Label">The band, e.g. <c>6-10</c>.</param>
/// <param name="Count">How many.</param>
public sealed record DurationBucket(string Label, int Count);

/// <summary>How many handovers reached one ladder stage (and no higher) in the period.</summary>
/// <param name="Stage">The stage's index (0 = the first).</param>
/// <param name="Name">The stage's name on the configured ladder.</param>
/// <param name="Count">How many handovers.</param>
public sealed record StageCount(int Stage, string Name, int Count);

/// <summary>How many notices for one recipient role ended in one ledger state.</summary>
/// <param name="RecipientRole">Who it was for (<c>gp</c>, <c>massh</c>, ...).</param>
/// <param name="State">The ledger's state: sent, written, withheld, failed, or pending (not yet delivered).</param>
/// <param name="Count">How many.</param>
public sealed record NoticeCount(string RecipientRole, string State, int Count);

/// <summary>Proposed leads who accepted the lead role in the period (design: "Replies"; seed 002's "lead professional agreed").</summary>
/// <param name="ByReply">Those who accepted by reply, of all who accepted (by reply or recorded in the case system).</param>
/// <param name="MedianWorkingDays">The median working days from the agreement to the acceptance (the earlier of the reply and the case system's <c>acceptedOn</c>); null when none accepted.</param>
public sealed record LeadAcceptances(Share ByReply, double? MedianWorkingDays);
