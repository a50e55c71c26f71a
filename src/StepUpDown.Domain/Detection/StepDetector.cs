using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Detection;

/// <summary>What the worker last stored for a child in a source.</summary>
/// <param name="LevelCode">The continuum level the stored record held.</param>
/// <param name="Version">The stored record's version.</param>
public sealed record StoredState(string LevelCode, long Version);

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
public sealed record Detection(DetectionOutcome Outcome, IReadOnlyList<DetectedStep> Steps)
{
    internal static Detection Of(DetectionOutcome outcome) => new(outcome, []);
}

/// <summary>
/// Compares a child's new record with the last one stored and names the steps between them.
/// Pure: no I/O, no clock.
/// </summary>
public sealed class StepDetector(ContinuumOfNeed continuum)
{
    /// <summary>Detects the steps between <paramref name="previous"/> and <paramref name="current"/>.</summary>
    /// <param name="source">The configured source name.</param>
    /// <param name="previous">What is stored for the child, or null when it is new to the worker.</param>
    /// <param name="current">The record just read; must be valid.</param>
    /// <param name="currentLevel">The level <paramref name="current"/> holds.</param>
    /// <param name="isBaseline">True while the source is being adopted for the first time.</param>
    public Detection Detect(string source, StoredState? previous, ChildRecord current, Level currentLevel, bool isBaseline)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(currentLevel);
        var version = current.Version ?? throw new ArgumentException("The record has no version.", nameof(current));

        if (previous is not null && version <= previous.Version)
        {
            return Detection.Of(DetectionOutcome.Replay);
        }

        if (isBaseline)
        {
            return Detection.Of(DetectionOutcome.Baseline);
        }

        // A child new to the worker after the baseline comes from universal provision.
        var from = previous is null ? continuum.Lowest : continuum.Get(previous.LevelCode);
        if (from.Rank == currentLevel.Rank)
        {
            return Detection.Of(DetectionOutcome.Changed);
        }

        var kind = currentLevel.Rank > from.Rank ? StepKind.StepUp : StepKind.StepDown;
        var step = new DetectedStep(DetectedStep.IdFor(source, current.ChildId, kind, version), kind, from, currentLevel, previous?.Version, version);
        return new Detection(DetectionOutcome.Changed, [step]);
    }
}
