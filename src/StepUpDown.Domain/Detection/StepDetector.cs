using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Detection;

/// <summary>A child's record in one source, with the continuum level it holds.</summary>
/// <param name="Source">The configured source name.</param>
/// <param name="Record">The whole record.</param>
/// <param name="Level">The level it holds (a closed record: the lowest).</param>
public sealed record SourceRecord(string Source, ChildRecord Record, Level Level)
{
    /// <summary>The record's version (validated records always have one).</summary>
    public long Version => Record.Version ?? 0;

    /// <summary>Another child in the same source holds the same NHS number: it identifies nobody.</summary>
    public bool NhsNumberShared { get; init; }

    /// <summary>The continuum level of the record's <c>stepDown.targetLevel</c>, where it maps.</summary>
    public Level? AgreedTarget { get; init; }

    /// <summary>The NHS number to link records and write to a GP by; null when it identifies nobody.</summary>
    public string? UsableNhsNumber => ChildIdentity.UsableNhsNumber(Record, NhsNumberShared);

    /// <summary>True while the record is open in its source.</summary>
    public bool IsOpen => !Record.IsClosed;

    /// <summary>The source's date of the record's last change (<c>updatedAt</c>): when its steps occurred.</summary>
    public DateOnly UpdatedOn => DateOnly.FromDateTime((Record.UpdatedAt ?? DateTimeOffset.MinValue).UtcDateTime);
}

/// <summary>
/// What is known of a child's journey beyond its records: whether an agreed step down is open
/// (its handover neither complete nor withdrawn), the lowest level agreed, and a fall below it
/// being held while the new record is awaited (design: "Out-of-order step down").
/// </summary>
/// <param name="AgreementOpen">An agreed step down of the child is open.</param>
/// <param name="Target">The level it steps down to, where known.</param>
/// <param name="HeldFrom">The child's level before a fall below the target that is being held; null when none is.</param>
public sealed record JourneyState(bool AgreementOpen, Level? Target, Level? HeldFrom)
{
    /// <summary>No agreed step down is open.</summary>
    public static JourneyState None { get; } = new(false, null, null);
}

/// <summary>Everything the detector needs about one newly read record.</summary>
/// <param name="Current">The record just read.</param>
/// <param name="Previous">What is stored for the same child in the same source; null when new.</param>
/// <param name="Related">The same child's stored records in other sources (matched by NHS number or external ids).</param>
/// <param name="LastStepDownOn">When the child last completed a step down or closed to universal, in any source; null if never.</param>
/// <param name="IsBaseline">True while the source is being adopted for the first time.</param>
/// <param name="GpNoticeWithheld">A GP notice about this child was withheld (NHS number missing or invalid) and none has gone since.</param>
/// <param name="Journey">The child's open agreed step down, if any; null for none.</param>
/// <param name="Conflicting">Records in other sources that <c>externalIds</c> say are this child but that hold another valid NHS number (not linked).</param>
/// <param name="TracksAgreements">False for a source that records no step-down agreements: a fall nobody agreed opens no handover.</param>
public sealed record DetectionInput(
    SourceRecord Current,
    SourceRecord? Previous,
    IReadOnlyList<SourceRecord> Related,
    DateOnly? LastStepDownOn,
    bool IsBaseline,
    bool GpNoticeWithheld = false,
    JourneyState? Journey = null,
    IReadOnlyList<SourceRecord>? Conflicting = null,
    bool TracksAgreements = true);

/// <summary>What to do with a record read from a feed.</summary>
public enum DetectionOutcome
{
    /// <summary>Read during first adoption of a source: store it, tell nobody.</summary>
    Baseline,

    /// <summary>Same or lower version than stored: ignore it.</summary>
    Replay,

    /// <summary>A newer version: store it, with the steps it shows (possibly none).</summary>
    Changed,
}

/// <summary>The outcome for one record and the steps it shows.</summary>
/// <param name="Outcome">Baseline, replay or changed.</param>
/// <param name="Steps">The steps it shows.</param>
/// <param name="HeldFrom">After this record: the level a held fall came from; null when no fall is held.</param>
public sealed record Detection(DetectionOutcome Outcome, IReadOnlyList<DetectedStep> Steps, Level? HeldFrom = null);

/// <summary>
/// Compares a child's new record with the last one stored and names the steps between them:
/// level steps on the child's combined level across sources, and the source's own steps (step
/// down agreed, proposed lead named, step in, step out, lead professional, GP practice, closure).
/// It judges the child, not the record: a fall below an open agreed step down's target is held
/// (design: "Out-of-order step down") and the next level step is measured from where the child
/// was before it. Pure: no I/O, no clock.
/// </summary>
public sealed class StepDetector(ContinuumOfNeed continuum)
{
    private static readonly TimeSpan ReReferralWindow = TimeSpan.FromDays(365);

    /// <summary>Detects the steps between the stored state and the record just read.</summary>
    public Detection Detect(DetectionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (current, previous) = (input.Current, input.Previous);
        var journey = input.Journey ?? JourneyState.None;
        if (previous is not null && current.Version <= previous.Version)
        {
            return new Detection(DetectionOutcome.Replay, [], journey.HeldFrom);
        }

        if (input.IsBaseline)
        {
            return new Detection(DetectionOutcome.Baseline, [], journey.HeldFrom);
        }

        var before = journey.HeldFrom ?? Combined(previous, input.Related);
        var steps = new StepList(current, previous, before, Combined(current, input.Related));
        if (ClosureNotAStepDown(steps, input) is { } closure)
        {
            // Told as what it is, and nothing else of the record: no level step, no hold, no handover.
            return new Detection(DetectionOutcome.Changed, closure, null);
        }

        var heldFrom = DetectLevelStep(steps, input, journey);
        if (input.TracksAgreements)
        {
            DetectStepDownAgreed(steps);
        }

        DetectServices(steps);
        DetectLeadProfessional(steps);
        DetectProposedLeadAccepted(steps);
        DetectGpPractice(steps, continuum, input.GpNoticeWithheld);
        if (current.Record.IsClosed && previous is { Record.IsClosed: false })
        {
            steps.Add(StepKind.Closure);
        }

        if (input.GpNoticeWithheld && current.UsableNhsNumber is not null)
        {
            steps.Add(StepKind.NhsNumberMatched);
        }

        DetectIdentityConflicts(steps, input.Conflicting ?? []);

        return new Detection(DetectionOutcome.Changed, steps.ToList(), heldFrom);
    }

    /// <summary>
    /// The steps of a closure that is not a step down (design: Closures that are not step downs),
    /// or null when the record shows none: the record closing because the child died, or because
    /// the case moved to another council, is that one step. While any of the child's records says
    /// the child died, nothing else of its records is a step: nobody is told of a level, lead or
    /// service of a child who has died.
    /// </summary>
    private static List<DetectedStep>? ClosureNotAStepDown(StepList steps, DetectionInput input)
    {
        var (current, previous) = (input.Current.Record, input.Previous?.Record);
        var closedNow = current.IsClosed && previous is { IsClosed: false };
        var died = Closures.ChildDied(current) || input.Related.Any(r => Closures.ChildDied(r.Record));
        if (died)
        {
            if (closedNow)
            {
                steps.Add(StepKind.ChildDied);
            }

            return steps.ToList();
        }

        if (closedNow && Closures.MovedAway(current))
        {
            steps.Add(StepKind.TransferredOut);
            return steps.ToList();
        }

        return null;
    }

    /// <summary>The child's level across sources: the highest any record holds (closed ones hold the lowest).</summary>
    private Level Combined(SourceRecord? own, IReadOnlyList<SourceRecord> related) =>
        related.Select(r => r.Level).Append(own?.Level ?? continuum.Lowest).MaxBy(l => l.Rank)!;

    /// <summary>Adds the step up or step down, if any; returns the level a held fall came from, if one is now held.</summary>
    private static Level? DetectLevelStep(StepList steps, DetectionInput input, JourneyState journey)
    {
        if (steps.To.Rank > steps.From.Rank)
        {
            var reReferral = input.LastStepDownOn is { } lastDown
                && steps.OccurredOn.ToDateTime(TimeOnly.MinValue) - lastDown.ToDateTime(TimeOnly.MinValue) <= ReReferralWindow;
            steps.Add(StepKind.StepUp, markers: reReferral ? StepMarkers.ReReferral : StepMarkers.None);
            return null;
        }

        if (steps.To.Rank == steps.From.Rank)
        {
            return null;
        }

        var records = new[] { input.Current, input.Previous }.Concat(input.Related).OfType<SourceRecord>().ToArray();
        var agreedInRecords = records.Where(r => r.Record.StepDown is { WithdrawnOn: null }).ToArray();
        var planned = journey.AgreementOpen || agreedInRecords.Length > 0;
        var target = agreedInRecords.Select(r => r.AgreedTarget).Append(journey.Target).OfType<Level>().MinBy(l => l.Rank);
        if (planned && target is not null && steps.To.Rank < target.Rank)
        {
            // The new record at the target may not have arrived yet: hold the fall (the sweep
            // announces it once the settling window ends empty).
            return steps.From;
        }

        var markers = planned ? StepMarkers.None
            : steps.To.Rank == 1 ? StepMarkers.RoutineClosure
            : input.TracksAgreements ? StepMarkers.Unplanned
            : StepMarkers.HandoverNotTracked;
        steps.Add(StepKind.StepDown, markers: markers);
        return null;
    }

    private static void DetectStepDownAgreed(StepList steps)
    {
        var now = steps.Current.Record.StepDown;
        var before = steps.Previous?.Record.StepDown;
        if (now is not { WithdrawnOn: null })
        {
            return;
        }

        if (before is null || before.AgreedOn != now.AgreedOn || before.WithdrawnOn is not null)
        {
            steps.Add(StepKind.StepDownAgreed);
        }
        else if (now.ProposedLeadProfessional is { } proposed
                 && (before.ProposedLeadProfessional is null || !before.ProposedLeadProfessional.IsSamePersonAs(proposed)))
        {
            steps.Add(StepKind.ProposedLeadNamed);
        }
    }

    /// <summary>
    /// A service listed more than once under one <c>serviceId</c> (it left and rejoined) is one
    /// service's history: its latest entry (latest <c>joinedOn</c>, then the later in the list)
    /// says where it stands. A service that joins, or joins again after leaving, steps in.
    /// </summary>
    private static void DetectServices(StepList steps)
    {
        var before = LatestEntries(steps.Previous?.Record.Services);
        foreach (var (serviceId, service) in LatestEntries(steps.Current.Record.Services))
        {
            before.TryGetValue(serviceId, out var was);
            var joined = was is null || (was.LeftOn is not null && was.JoinedOn != service.JoinedOn);
            if (joined && service.LeftOn is null)
            {
                steps.Add(StepKind.StepIn, serviceId);
            }
            else if (was is { LeftOn: null } && service.LeftOn is not null)
            {
                var markers = service.LeftReason == "non-engagement" ? StepMarkers.NonEngagement : StepMarkers.None;
                steps.Add(StepKind.StepOut, serviceId, markers);
            }
        }
    }

    private static Dictionary<string, Service> LatestEntries(IReadOnlyList<Service>? services) =>
        (services ?? [])
            .Where(s => s?.ServiceId is not null)
            .Select((service, index) => (service, index))
            .GroupBy(entry => entry.service.ServiceId, StringComparer.Ordinal)
            .ToDictionary(
                group => group.Key,
                group => group.MaxBy(entry => (entry.service.JoinedOn ?? DateOnly.MinValue, entry.index)).service,
                StringComparer.Ordinal);

    private static void DetectLeadProfessional(StepList steps)
    {
        var now = steps.Current.Record.LeadProfessional;
        var before = steps.Previous?.Record.LeadProfessional;
        if (now is null)
        {
            return;
        }

        var changed = before is null || !before.IsSamePersonAs(now);
        if (changed)
        {
            steps.Add(StepKind.LeadProfessionalChanged);
        }

        // A new acceptance date is a new acceptance (an old one may be from an earlier episode).
        if (now.AcceptedOn is not null && (changed || before!.AcceptedOn != now.AcceptedOn))
        {
            steps.Add(StepKind.LeadProfessionalAccepted);
        }
    }

    /// <summary>
    /// The acceptance recorded where the contract puts it for a step down: on the agreement's
    /// <c>proposedLeadProfessional</c> (<c>acceptedOn</c> on or after the agreement). The MASSH is
    /// told who leads now, unless this record's own lead is that person with an acceptance of its
    /// own (told as the lead's acceptance).
    /// </summary>
    private static void DetectProposedLeadAccepted(StepList steps)
    {
        var agreement = steps.Current.Record.StepDown;
        if (agreement is not { WithdrawnOn: null, ProposedLeadProfessional: { AcceptedOn: { } acceptedOn } proposed }
            || (agreement.AgreedOn is { } agreedOn && acceptedOn < agreedOn))
        {
            return;
        }

        var before = steps.Previous?.Record.StepDown?.ProposedLeadProfessional;
        var toldAlready = steps.Current.Record.LeadProfessional is { AcceptedOn: not null } own && own.IsSamePersonAs(proposed);
        if (!toldAlready && (before is null || !before.IsSamePersonAs(proposed) || before.AcceptedOn != acceptedOn))
        {
            steps.Add(StepKind.LeadProfessionalAccepted, DetectedStep.ProposedLeadSubject);
        }
    }

    /// <summary>
    /// A new GP practice while the child is at early help or above: the new practice needs the
    /// plan, the old one to know the child has left, unless it was never told of the child (a GP
    /// notice was withheld and none has gone since). The subject is the old practice's ODS code.
    /// </summary>
    private static void DetectGpPractice(StepList steps, ContinuumOfNeed continuum, bool gpNoticeWithheld)
    {
        var now = steps.Current.Record.GpPractice?.OdsCode;
        var before = steps.Previous?.Record.GpPractice?.OdsCode;
        if (!string.IsNullOrWhiteSpace(now) && !string.IsNullOrWhiteSpace(before)
            && !string.Equals(now.Trim(), before.Trim(), StringComparison.OrdinalIgnoreCase)
            && steps.To.Rank > continuum.Lowest.Rank)
        {
            steps.Add(StepKind.GpPracticeChanged, before.Trim(), gpNoticeWithheld ? StepMarkers.PreviousPracticeNotTold : StepMarkers.None);
        }
    }

    /// <summary>
    /// Records that <c>externalIds</c> tie to this one but that hold another valid NHS number: once
    /// per conflict, when this record's number or external ids change (or it is new), the MASSH is
    /// asked to match. The subject is the other record's key.
    /// </summary>
    private static void DetectIdentityConflicts(StepList steps, IReadOnlyList<SourceRecord> conflicting)
    {
        var (now, before) = (steps.Current, steps.Previous);
        var identityChanged = before is null
            || before.UsableNhsNumber != now.UsableNhsNumber
            || !ChildIdentity.ExternalKeys(before.Record).SequenceEqual(ChildIdentity.ExternalKeys(now.Record));
        if (!identityChanged)
        {
            return;
        }

        foreach (var other in conflicting.OrderBy(r => r.Source, StringComparer.Ordinal).ThenBy(r => r.Record.ChildId, StringComparer.Ordinal))
        {
            steps.Add(StepKind.IdentityConflict, ChildIdentity.KeyOf(other.Source, other.Record.ChildId));
        }
    }

    /// <summary>Collects the steps of one record, all sharing its source, child, versions and levels.</summary>
    private sealed class StepList(SourceRecord current, SourceRecord? previous, Level from, Level to)
    {
        private readonly List<DetectedStep> _steps = [];
        private readonly StepMarkers _nhsMarker = DetectedStep.NhsNumberMarker(current);

        public SourceRecord Current => current;

        public SourceRecord? Previous => previous;

        public Level From => from;

        public Level To => to;

        public DateOnly OccurredOn => current.UpdatedOn;

        public void Add(StepKind kind, string? subject = null, StepMarkers markers = StepMarkers.None) =>
            _steps.Add(new DetectedStep(
                DetectedStep.IdFor(current.Source, current.Record.ChildId, kind, current.Version, subject),
                kind,
                from,
                to,
                previous?.Version,
                current.Version,
                subject,
                markers | _nhsMarker,
                OccurredOn));

        public List<DetectedStep> ToList() => _steps;
    }
}
