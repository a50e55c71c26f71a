using System.Security.Cryptography;
using System.Text;
using StepUpDown.Domain.Continuum;

namespace StepUpDown.Domain.Detection;

/// <summary>The kinds of step the worker detects.</summary>
public enum StepKind
{
    /// <summary>The child's level rose.</summary>
    StepUp,

    /// <summary>The child's level fell.</summary>
    StepDown,
}

/// <summary>A step one child took in one source, between two versions of its record.</summary>
/// <param name="Id">Deterministic: detecting the same step again yields the same id.</param>
/// <param name="Kind">Step up or down.</param>
/// <param name="From">Level before.</param>
/// <param name="To">Level after.</param>
/// <param name="FromVersion">Record version before; null when the child is new to the worker.</param>
/// <param name="ToVersion">Record version that shows the step.</param>
public sealed record DetectedStep(Guid Id, StepKind Kind, Level From, Level To, long? FromVersion, long ToVersion)
{
    /// <summary>The id of a step: the same (source, child, kind, version) always gives the same id.</summary>
    public static Guid IdFor(string source, string childId, StepKind kind, long toVersion)
    {
        var key = Encoding.UTF8.GetBytes($"{source}\n{childId}\n{kind}\n{toVersion}");
        var hash = SHA256.HashData(key);
        return new Guid(hash.AsSpan(0, 16));
    }
}
