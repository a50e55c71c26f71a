using System.ComponentModel.DataAnnotations;

namespace StepUpDown.Integration.Retention;

/// <summary>
/// How long the worker keeps what it copied from the case systems (section <c>Retention</c>; UK
/// GDPR storage limitation). The case systems stay the council's record: the worker keeps only
/// what it needs to detect steps, deliver notices and chase handovers. Nothing an open handover or
/// an undelivered notice needs is ever removed. Periods are in days.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Retention";

    /// <summary>When the daily purge runs (Hangfire cron, in the council's time zone, <c>Handovers:TimeZone</c>).</summary>
    [Required]
    public string Cron { get; set; } = "30 2 * * *";

    /// <summary>
    /// A closed child's stored record (and its linking keys), after the last change to it. At least
    /// 400: a step up within a year of a closure is a re-referral, told as one.
    /// </summary>
    [Range(400, 36_500)]
    public int ClosedChildrenDays { get; set; } = 730;

    /// <summary>Steps, their record snapshots and their notices' ledger rows, and closed handovers, after they happened. At least 400, as above.</summary>
    [Range(400, 36_500)]
    public int StepsDays { get; set; } = 730;

    /// <summary>A delivered (or failed, or withheld) notice's ledger row, with its recipient address, after it was created.</summary>
    [Range(30, 36_500)]
    public int LedgerDays { get; set; } = 365;

    /// <summary>A quarantined record's raw payload, after it arrived (long enough for the case system's team to correct it).</summary>
    [Range(7, 3_650)]
    public int QuarantineDays { get; set; } = 90;

    /// <summary>A failed Hangfire job, after it failed (Hangfire then drops it as it does a deleted one).</summary>
    [Range(7, 3_650)]
    public int FailedJobsDays { get; set; } = 30;
}
