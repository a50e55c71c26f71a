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
}

/// <summary>Everything the detector needs about one newly read record.</summary>
/// <param name="Current">The record just read.</param>
/// <param name="Previous">What is stored for the same child in the same source; null when new.</param>
/// <param name="Related">The same child's stored records in other sources (matched by NHS number or external ids).</param>
/// <param name="LastStepDownOn">When the child last completed a step down, in any source; null if never.</param>
/// <param name="IsBaseline">True while the source is being adopted for the first time.</param>
/// <param name="GpNoticeWithheld">A GP notice about this child was withheld (NHS number missing or invalid) and none has gone since.</param>
public sealed record DetectionInput(
    SourceRecord Current,
    SourceRecord? Previous,
    IReadOnlyList<SourceRecord> Related,
    DateOnly? LastStepDownOn,
    bool IsBaseline,
    bool GpNoticeWithheld = false);

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
public sealed record Detection(DetectionOutcome Outcome, IReadOnlyList<DetectedStep> Steps);

/// <summary>
/// Compares a child's new record with the last one stored and names the steps between them:
/// level steps on the child's combined level across sources, and the source's own steps (step
/// down agreed, step in, step out, lead professional, closure). Pure: no I/O, no clock.
/// </summary>
public sealed class StepDetector(ContinuumOfNeed continuum)
{
    private static readonly TimeSpan ReReferralWindow = TimeSpan.FromDays(365);

    /// <summary>Detects the steps between the stored state and the record just read.</summary>
    public Detection Detect(DetectionInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (current, previous) = (input.Current, input.Previous);
        if (previous is not null && current.Version <= previous.Version)
        {
            return new Detection(DetectionOutcome.Replay, []);
        }

        if (input.IsBaseline)
        {
            return new Detection(DetectionOutcome.Baseline, []);
        }

        var steps = new StepList(current, previous, Combined(previous, input.Related), Combined(current, input.Related));
        DetectLevelStep(steps, input);
        DetectStepDownAgreed(steps);
        DetectServices(steps);
        DetectLeadProfessional(steps);
        if (current.Record.IsClosed && previous is { Record.IsClosed: false })
        {
            steps.Add(StepKind.Closure);
        }

        if (input.GpNoticeWithheld && NhsNumber.IsValid(current.Record.NhsNumber))
        {
            steps.Add(StepKind.NhsNumberMatched);
        }

        return new Detection(DetectionOutcome.Changed, steps.ToList());
    }

    /// <summary>The child's level across sources: the highest any record holds (closed ones hold the lowest).</summary>
    private Level Combined(SourceRecord? own, IReadOnlyList<SourceRecord> related) =>
        related.Select(r => r.Level).Append(own?.Level ?? continuum.Lowest).MaxBy(l => l.Rank)!;

    private static void DetectLevelStep(StepList steps, DetectionInput input)
    {
        if (steps.To.Rank > steps.From.Rank)
        {
            var reReferral = input.LastStepDownOn is { } lastDown
                && steps.OccurredOn.ToDateTime(TimeOnly.MinValue) - lastDown.ToDateTime(TimeOnly.MinValue) <= ReReferralWindow;
            steps.Add(StepKind.StepUp, markers: reReferral ? StepMarkers.ReReferral : StepMarkers.None);
        }
        else if (steps.To.Rank < steps.From.Rank)
        {
            var agreed = new[] { input.Current, input.Previous }.Concat(input.Related)
                .Any(r => r?.Record.StepDown is { WithdrawnOn: null });
            steps.Add(StepKind.StepDown, markers: agreed ? StepMarkers.None : StepMarkers.Unplanned);
        }
    }

    private static void DetectStepDownAgreed(StepList steps)
    {
        var now = steps.Current.Record.StepDown;
        var before = steps.Previous?.Record.StepDown;
        if (now is { WithdrawnOn: null } && (before is null || before.AgreedOn != now.AgreedOn || before.WithdrawnOn is not null))
        {
            steps.Add(StepKind.StepDownAgreed);
        }
    }

    private static void DetectServices(StepList steps)
    {
        var before = (steps.Previous?.Record.Services ?? []).ToDictionary(s => s.ServiceId, StringComparer.Ordinal);
        foreach (var service in steps.Current.Record.Services ?? [])
        {
            before.TryGetValue(service.ServiceId, out var was);
            if (was is null && service.LeftOn is null)
            {
                steps.Add(StepKind.StepIn, service.ServiceId);
            }
            else if (was is { LeftOn: null } && service.LeftOn is not null)
            {
                var markers = service.LeftReason == "non-engagement" ? StepMarkers.NonEngagement : StepMarkers.None;
                steps.Add(StepKind.StepOut, service.ServiceId, markers);
            }
        }
    }

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

        if (now.AcceptedOn is not null && (changed || before!.AcceptedOn is null))
        {
            steps.Add(StepKind.LeadProfessionalAccepted);
        }
    }


    /// <summary>Collects the steps of one record, all sharing its source, child, versions and levels.</summary>
    private sealed class StepList(SourceRecord current, SourceRecord? previous, Level from, Level to)
    {
        private readonly List<DetectedStep> _steps = [];
        private readonly StepMarkers _nhsMarker = NhsNumber.IsValid(current.Record.NhsNumber) ? StepMarkers.None : StepMarkers.InvalidNhsNumber;

        public SourceRecord Current => current;

        public SourceRecord? Previous => previous;

        public Level From => from;

        public Level To => to;

        public DateOnly OccurredOn { get; } = DateOnly.FromDateTime((current.Record.UpdatedAt ?? DateTimeOffset.MinValue).UtcDateTime);

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
