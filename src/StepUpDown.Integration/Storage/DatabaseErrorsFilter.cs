using Hangfire.Server;
using Npgsql;

namespace StepUpDown.Integration.Storage;

/// <summary>
/// A Hangfire server filter, one for every job: a job that fails with a PostgreSQL error fails
/// with a <see cref="DatabaseFailureException"/> instead, described by
/// <see cref="DatabaseErrors.Describe"/>. What Hangfire then keeps (the job's state and its
/// history) and logs (a retry's warning) quotes no row. The replacement is thrown from
/// <see cref="OnPerformed"/>, before Hangfire makes a state of the failure: a state filter that
/// swapped the failed state would leave the first one, raw message and all, in the job's history.
/// </summary>
public sealed class DatabaseErrorsFilter : IServerFilter
{
    /// <inheritdoc />
    public void OnPerforming(PerformingContext context)
    {
    }

    /// <inheritdoc />
    public void OnPerformed(PerformedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // What the job threw (Hangfire wraps it), not what an exception wraps: a shutdown's
        // OperationCanceledException wraps the cancelled statement's error, and must stay itself
        // so that Hangfire puts the job back in its queue rather than failing it.
        var thrown = context.Exception is JobPerformanceException performance ? performance.InnerException : context.Exception;
        if (thrown is PostgresException database)
        {
            throw new DatabaseFailureException(DatabaseErrors.Describe(database));
        }
    }
}
