using Hangfire.States;
using Hangfire.Storage;

namespace StepUpDown.Integration.Retention;

/// <summary>
/// Files every Hangfire job that fails in a set of the job storage, scored by when it failed, so
/// the purge finds the old ones by the storage's public set API rather than by paging the
/// dashboard's monitoring API. It is written in the transaction that makes the job Failed, so the
/// set holds every failure since the filter was installed. A job that leaves Failed (retried or
/// deleted on the dashboard) leaves the set in its own transaction. It is one of the
/// <see cref="StepUpDown.Integration.Jobs.SharedJobFilters"/>: a job fails in the server, through the dashboard and
/// through a client, and each reads them.
/// </summary>
public sealed class FailedJobDates : IApplyStateFilter
{
    /// <summary>The set's key in the job storage.</summary>
    public const string SetKey = "stepupdown:failed-jobs";

    /// <summary>The score of a failure at <paramref name="at"/>: its Unix time in seconds.</summary>
    public static double Score(DateTimeOffset at) => at.ToUnixTimeSeconds();

    /// <inheritdoc />
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is FailedState failed)
        {
            transaction.AddToSet(SetKey, context.BackgroundJob.Id, Score(new DateTimeOffset(failed.FailedAt, TimeSpan.Zero)));
        }
    }

    /// <inheritdoc />
    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.OldStateName == FailedState.StateName)
        {
            transaction.RemoveFromSet(SetKey, context.BackgroundJob.Id);
        }
    }
}
