using System.Security.Cryptography;
using System.Text;
using StepUpDown.Domain.Continuum;

namespace StepUpDown.Domain.Detection;

/// <summary>The kinds of step the worker detects (design: "Steps the worker detects").</summary>
public enum StepKind
{
    /// <summary>The child's combined level rose (a new EHA included).</summary>
    StepUp,

    /// <summary>The child's combined level fell; <see cref="StepMarkers.Unplanned"/> when no step down was agreed.</summary>
    StepDown,

    /// <summary>A <c>stepDown</c> block appeared: a handover opens.</summary>
    StepDownAgreed,

    /// <summary>A service joined the Team Around the Child.</summary>
    StepIn,

    /// <summary>A service gained <c>leftOn</c>.</summary>
    StepOut,

    /// <summary>A different lead professional.</summary>
    LeadProfessionalChanged,

    /// <summary>The lead professional accepted the role (<c>acceptedOn</c> set).</summary>
    LeadProfessionalAccepted,

    /// <summary>The record was closed in its source.</summary>
    Closure,

    /// <summary>Not read from a record but found by the handover sweep: every checklist item of a step down holds.</summary>
    StepDownComplete,

    /// <summary>Not read from a record but found by the handover sweep: a ladder stage of a stalled handover is due.</summary>
    HandoverStalled,

    /// <summary>
    /// The child's NHS number now passes the check, after a GP notice was withheld for want of it:
    /// the GP can at last be told the current plan.
    /// </summary>
    NhsNumberMatched,

    /// <summary>The proposed lead professional of an agreed step down was named late or replaced: they need the handover pack.</summary>
    ProposedLeadNamed,

    /// <summary>The child's GP practice changed while at early help or above; the subject is the old practice's ODS code.</summary>
    GpPracticeChanged,

    /// <summary>
    /// The record was closed because the child died: not a step down. Only the MASSH is told; open
    /// handovers are withdrawn; nothing else of the child's records is told while a record says so.
    /// </summary>
    ChildDied,

    /// <summary>The record was closed because the case moved to another council: not a step down. The GP and the MASSH are told; no handover.</summary>
    TransferredOut,

    /// <summary>
    /// The record's <c>externalIds</c> name a record in another source (or are named by one) that
    /// holds another valid NHS number: two children, not linked; the MASSH is asked to match. The
    /// subject is the other record's key (<c>source|id</c>).
    /// </summary>
    IdentityConflict,

    /// <summary>
    /// The proposed lead accepted the lead role by replying to the handover pack (design: "Replies"):
    /// the MASSH is told who leads now, the allocated team is asked to record <c>acceptedOn</c>. Found
    /// by the handover sweep, never by detection.
    /// </summary>
    LeadAcceptedByReply,
}

/// <summary>What else a step says.</summary>
[Flags]
public enum StepMarkers
{
    /// <summary>Nothing more.</summary>
    None = 0,

    /// <summary>A step up within 12 months of a completed step down or a closure to universal.</summary>
    ReReferral = 1,

    /// <summary>A step down to a level above universal that nobody agreed: its handover starts with every item missing.</summary>
    Unplanned = 2,

    /// <summary>A step down to universal that nobody agreed (an EHA closed "needs met"): the plan has ended; no handover.</summary>
    RoutineClosure = 16,

    /// <summary>A step out for non-engagement, which is no valid reason: a risk assessment is needed.</summary>
    NonEngagement = 4,

    /// <summary>The child's NHS number is missing or fails the Modulus 11 check.</summary>
    InvalidNhsNumber = 8,

    /// <summary>
    /// A change of GP practice while a GP notice about the child was withheld (no usable NHS number
    /// then): the old practice was never told of the child, so it is not told they left its list.
    /// </summary>
    PreviousPracticeNotTold = 32,

    /// <summary>
    /// A step down to a level above universal from a source that records no step-down agreements
    /// (<c>TracksStepDownAgreements: false</c>, e.g. the Standard Safeguarding Dataset): told as a
    /// step down (the GP, the MASSH, the new lead), but no handover is opened and no ladder runs.
    /// </summary>
    HandoverNotTracked = 64,
}

/// <summary>A step one child took, shown by one version of its record in one source.</summary>
/// <param name="Id">Deterministic: detecting the same step again yields the same id.</param>
/// <param name="Kind">What happened.</param>
/// <param name="From">The child's combined level before.</param>
/// <param name="To">The child's combined level after.</param>
/// <param name="FromVersion">The source record's version before; null when the child is new to the source.</param>
/// <param name="ToVersion">The source record's version that shows the step.</param>
/// <param name="Subject">What the step is about, where one record can show several: the service id of a step in or out.</param>
/// <param name="Markers">What else it says.</param>
/// <param name="OccurredOn">The source's date of the change (<c>updatedAt</c>).</param>
public sealed record DetectedStep(
    Guid Id,
    StepKind Kind,
    Level From,
    Level To,
    long? FromVersion,
    long ToVersion,
    string? Subject,
    StepMarkers Markers,
    DateOnly OccurredOn)
{
    /// <summary>The subject of a <see cref="StepKind.LeadProfessionalAccepted"/> read from the step down's proposed lead, not the record's own lead.</summary>
    public const string ProposedLeadSubject = "proposed-lead";

    /// <summary>
    /// The step ends an episode of support, so a step up within 12 months of it is a re-referral:
    /// a completed step down, or a step down to universal (the lowest level, rank 1). Not an
    /// unplanned fall that is still being handed over.
    /// </summary>
    public bool EndsAnEpisode => EndsEpisode(Kind, To);

    /// <summary>Whether a step of <paramref name="kind"/> to <paramref name="to"/> ends an episode (see <see cref="EndsAnEpisode"/>).</summary>
    public static bool EndsEpisode(StepKind kind, Level? to) => kind == StepKind.StepDownComplete || (kind == StepKind.StepDown && to?.Rank == 1);

    /// <summary>The marker every step of a record carries when its child has no usable NHS number.</summary>
    public static StepMarkers NhsNumberMarker(SourceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.UsableNhsNumber is null ? StepMarkers.InvalidNhsNumber : StepMarkers.None;
    }

    /// <summary>The same (source, child, kind, version, subject) always gives the same id.</summary>
    public static Guid IdFor(string source, string childId, StepKind kind, long toVersion, string? subject = null)
    {
        var key = Encoding.UTF8.GetBytes($"{source}\n{childId}\n{kind}\n{toVersion}\n{subject}");
        return new Guid(SHA256.HashData(key).AsSpan(0, 16));
    }
}

/// <summary>A step as stored: what it was, when the worker found it and when it occurred in its source.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="DetectedAt">When the worker found it (UTC).</param>
/// <param name="OccurredOn">The source's date of the change.</param>
public sealed record StoredStep(StepKind Kind, DateTime DetectedAt, DateOnly OccurredOn);
