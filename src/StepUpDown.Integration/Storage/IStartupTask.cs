namespace StepUpDown.Integration.Storage;

/// <summary>
/// Work a capability needs done once the schema is migrated and before any job, poll or request
/// runs (bringing stored facts up to date). The host runs every registered one, in turn, at start-up.
/// </summary>
public interface IStartupTask
{
    /// <summary>Does the work; a failure stops start-up.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
