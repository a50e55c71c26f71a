using StepUpDown.Domain.Records;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// The child's GP practice as its records show it now (design: "every later notice goes to the
/// practice of the child's combined view at the time it is sent"). Notifications asks; the case
/// feeds, which hold the records, answer (<c>CaseFeeds/CurrentPractice</c>).
/// </summary>
public interface IChildPractice
{
    /// <summary>The practice the child's latest open record names, across its linked records; null when none does.</summary>
    Task<GpPracticeRef?> NowAsync(string source, string childId, CancellationToken cancellationToken);
}
