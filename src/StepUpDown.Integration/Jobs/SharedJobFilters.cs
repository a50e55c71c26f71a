using Hangfire;

namespace StepUpDown.Integration.Jobs;

/// <summary>
/// Hangfire's process-wide filters (<see cref="GlobalJobFilters"/>), which the server, the clients
/// and the dashboard all read. Only a filter that holds nothing of one host's belongs there: hosts
/// that share a process (the tests) share it.
/// </summary>
public static class SharedJobFilters
{
    /// <summary>Adds <paramref name="filter"/> unless a filter of its type is there already.</summary>
    public static void AddOnce(object filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (GlobalJobFilters.Filters)
        {
            if (!GlobalJobFilters.Filters.Any(added => added.Instance.GetType() == filter.GetType()))
            {
                GlobalJobFilters.Filters.Add(filter);
            }
        }
    }
}
