namespace StepUpDown.Integration.Jobs;

/// <summary>
/// One capability's recurring jobs, read from its options as the host starts.
/// </summary>
/// <param name="declare">The jobs, wanted or not (a job not wanted is removed).</param>
/// <param name="ownsIdsStartingWith">
/// Ids of this capability's jobs begin so (a poll per source): with <c>Jobs:RemoveUnknownSourceJobs</c>,
/// a registered job with such an id that is no longer declared is removed. Null: none.
/// </param>
public sealed class RecurringJobs(Func<IServiceProvider, IEnumerable<RecurringJobDeclaration>> declare, string? ownsIdsStartingWith = null)
{
    /// <summary>The ids this capability owns begin so; null when it declares fixed ids only.</summary>
    public string? OwnsIdsStartingWith => ownsIdsStartingWith;

    /// <summary>The jobs as the options now say.</summary>
    public IEnumerable<RecurringJobDeclaration> Declare(IServiceProvider services) => declare(services);
}
