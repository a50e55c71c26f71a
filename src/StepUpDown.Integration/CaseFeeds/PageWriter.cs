using Microsoft.Extensions.Logging;
using Npgsql;
using StepUpDown.Domain.Detection;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>
/// Writes one page of a source's feed in one transaction: takes the detection lock, loads what is
/// stored of the page's children (<see cref="PageContextLoader"/>), detects (<see cref="PageDetection"/>),
/// stores it all with the cursor after it (<see cref="CaseFeedStore.SavePageAsync"/>), and has the
/// notices it added dispatched.
/// </summary>
internal sealed partial class PageWriter(
    TimeProvider time, PageContextLoader loader, PageDetection detection, INotificationDispatcher dispatcher, ILogger logger)
{
    /// <summary>What a page's write stored, for the counters.</summary>
    public sealed record WriteResult(int Records, IReadOnlyList<DetectedStep> Steps, int Quarantined);

    /// <summary>
    /// Writes a page (records, steps, notices, quarantine, then the cursor) in one transaction. If
    /// PostgreSQL refuses the page for its data, a record in it must be at fault: the page is
    /// written again in halves, and a refused half in halves again, down to the record it refuses,
    /// which is quarantined with the error's SqlState (a page with one such record in a thousand
    /// takes about twenty writes, not a thousand). The cursor moves only once every record is
    /// stored or set aside.
    /// </summary>
    public async Task<WriteResult> WritePageAsync(
        NpgsqlConnection connection, string source, List<ParsedItem> parsed, SourcePosition position, SourcePosition next,
        CancellationToken cancellationToken)
    {
        try
        {
            return await WriteAsync(connection, source, parsed, position, next, cancellationToken);
        }
        catch (PostgresException exception) when (DatabaseErrors.IsAboutTheData(exception))
        {
            LogPageRefused(logger, source, DatabaseErrors.Describe(exception));
        }

        var results = new List<WriteResult>();
        var half = parsed.Count / 2;
        await WriteInHalvesAsync(connection, source, parsed[..half], position, results, cancellationToken);
        await WriteInHalvesAsync(connection, source, parsed[half..], position, results, cancellationToken);
        results.Add(await WriteAsync(connection, source, [], position, next, cancellationToken));
        return new WriteResult(results.Sum(r => r.Records), results.SelectMany(r => r.Steps).ToList(), results.Sum(r => r.Quarantined));
    }

    /// <summary>Writes <paramref name="items"/> (the cursor unmoved); if refused, each half in turn, in page order, down to the refused record.</summary>
    private async Task WriteInHalvesAsync(
        NpgsqlConnection connection, string source, List<ParsedItem> items, SourcePosition position,
        List<WriteResult> results, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return;
        }

        try
        {
            results.Add(await WriteAsync(connection, source, items, position, position, cancellationToken));
            return;
        }
        catch (PostgresException exception) when (DatabaseErrors.IsAboutTheData(exception) && items.Count == 1)
        {
            results.Add(await QuarantineRefusedAsync(connection, source, items[0], exception.SqlState, position, cancellationToken));
            return;
        }
        catch (PostgresException exception) when (DatabaseErrors.IsAboutTheData(exception))
        {
            // One of them is at fault: find it.
        }

        var half = items.Count / 2;
        await WriteInHalvesAsync(connection, source, items[..half], position, results, cancellationToken);
        await WriteInHalvesAsync(connection, source, items[half..], position, results, cancellationToken);
    }

    /// <summary>
    /// Quarantines a record the database refused; if even its quarantine row is refused (the
    /// payload or id holds what PostgreSQL cannot store), the row keeps only the reason, so the
    /// page still commits.
    /// </summary>
    private async Task<WriteResult> QuarantineRefusedAsync(
        NpgsqlConnection connection, string source, ParsedItem item, string sqlState, SourcePosition position, CancellationToken cancellationToken)
    {
        var reason = item.Reason ?? $"could not be stored: database error {sqlState}";
        try
        {
            return await WriteAsync(connection, source, [item with { Record = null, Reason = reason }], position, position, cancellationToken);
        }
        catch (PostgresException exception) when (DatabaseErrors.IsAboutTheData(exception))
        {
            var bare = new ParsedItem(null, "", $"{reason}; its payload could not be stored either (database error {exception.SqlState})", null);
            return await WriteAsync(connection, source, [bare], position, position, cancellationToken);
        }
    }

    private async Task<WriteResult> WriteAsync(
        NpgsqlConnection connection, string source, List<ParsedItem> parsed, SourcePosition position, SourcePosition next,
        CancellationToken cancellationToken)
    {
        PageWrite write;
        IReadOnlyList<Guid> added;
        await using (var work = await UnitOfWork.BeginAsync(connection, time.GetUtcNow(), cancellationToken))
        {
            await CaseFeedStore.LockDetectionAsync(work);
            var context = await loader.LoadAsync(work, source, parsed);
            write = detection.Detect(source, parsed, position, next, context);
            added = await CaseFeedStore.SavePageAsync(work, write);
            await work.CommitAsync(cancellationToken);
        }

        if (added.Count > 0)
        {
            dispatcher.ScheduleDispatch();
        }

        return new WriteResult(write.Records.Count, write.Steps.Select(s => s.Step).ToList(), write.Quarantined.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {Source}: the database refused a page ({Error}); writing it again in halves to set the offending record aside")]
    private static partial void LogPageRefused(ILogger logger, string source, string error);
}
