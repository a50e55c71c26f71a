using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.ChildRecords;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>The child's GP practice now, from its stored records and every record linked to them (<see cref="CombinedView.GpPracticeOf"/>).</summary>
internal sealed class CurrentPractice(NpgsqlDataSource dataSource, ContinuumOfNeed continuum) : IChildPractice
{
    public async Task<GpPracticeRef?> NowAsync(string source, string childId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var work = await UnitOfWork.BeginReadingAsync(connection, cancellationToken);
        var child = await ChildLinks.FindAsync(work, continuum, source, childId, null);
        return CombinedView.GpPracticeOf(child.Records.Select(r => new SourceRecord(r.Row.Source, r.Record, r.Level)));
    }
}
