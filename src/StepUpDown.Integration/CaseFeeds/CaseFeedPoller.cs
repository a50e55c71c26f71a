using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.ChildRecords;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Telemetry;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>What one poll of a source did.</summary>
/// <param name="Skipped">True when another instance was polling the source already.</param>
/// <param name="Pages">Pages read.</param>
/// <param name="Records">Records read.</param>
/// <param name="Steps">Steps detected.</param>
/// <param name="Quarantined">Records quarantined.</param>
public sealed record PollResult(bool Skipped, int Pages, int Records, int Steps, int Quarantined);

/// <summary>
/// Reads a source's feed page by page from its cursor, detects steps and commits each page
/// (records, steps, notifications, cursor) in one transaction before reading the next.
/// </summary>
public sealed partial class CaseFeedPoller(
    IServiceProvider services,
    NpgsqlDataSource dataSource,
    CaseFeedStore store,
    IOptions<CaseFeedOptions> feeds,
    ContinuumOfNeed continuum,
    NotificationPlanner planner,
    FeedItemParser parser,
    INotificationDispatcher dispatcher,
    StepUpDownMetrics metrics,
    ILogger<CaseFeedPoller> logger)
{
    private const int AnalyzeEveryStoredRecords = 10_000;
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>Polls <paramref name="source"/> until its feed has no more pages; skips when another instance is polling it.</summary>
    /// <exception cref="CaseFeedUnavailableException">The feed answered with an error after its retries.</exception>
    public Task<PollResult> PollAsync(string source, CancellationToken cancellationToken) =>
        PollAsync(source, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// Polls <paramref name="source"/> until its feed has no more pages, waiting up to
    /// <paramref name="waitForLock"/> for another instance's poll of it to end (a nudge: that poll
    /// may have read the feed before the change it announces).
    /// </summary>
    /// <exception cref="CaseFeedUnavailableException">The feed answered with an error after its retries.</exception>
    public async Task<PollResult> PollAsync(string source, TimeSpan waitForLock, CancellationToken cancellationToken)
    {
        if (!feeds.Value.Sources.TryGetValue(source, out var options))
        {
            throw new InvalidOperationException($"No case feed named '{source}' is configured under {CaseFeedOptions.SectionName}:Sources.");
        }

        var api = services.GetRequiredKeyedService<ICaseFeedApi>(source);
        var detector = new StepDetector(continuum);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var sourceLock = await AdvisoryLock.AcquireAsync(connection, AdvisoryLock.ForSource(source), waitForLock, cancellationToken);
        if (sourceLock is null)
        {
            LogSkipped(logger, source);
            return new PollResult(true, 0, 0, 0, 0);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (position, lastPolledAt) = await CaseFeedStore.GetPositionAsync(connection, source);
        var total = new PollResult(false, 0, 0, 0, 0);
        var storedSinceAnalyze = 0;
        while (true)
        {
            var page = await CaseFeedReader.ReadPageAsync(api, source, options, position.Cursor, cancellationToken);
            if (page is null)
            {
                LogResync(logger, source);
                position = position with { Cursor = null };
                continue;
            }

            var next = new SourcePosition(page.NextCursor ?? position.Cursor, position.BaselineCompleted || !page.HasMore);
            if (page.Items.Count == 0 && next == position && !page.HasMore)
            {
                // Nothing new: no write transaction (a poll every few seconds must cost next to nothing).
                await store.MarkPolledAsync(connection, source, lastPolledAt);
                metrics.PageRead(source, 0, [], 0);
                total = total with { Pages = total.Pages + 1 };
                break;
            }

            var parsed = page.Items.Select(item => parser.Parse(item, source)).ToList();
            var write = await WritePageAsync(connection, source, parsed, position, next, detector, cancellationToken);
            storedSinceAnalyze += write.Records;
            if (storedSinceAnalyze >= AnalyzeEveryStoredRecords)
            {
                await CaseFeedStore.AnalyzeAsync(connection);
                storedSinceAnalyze = 0;
            }

            metrics.PageRead(source, page.Items.Count, write.Steps, write.Quarantined);
            total = total with
            {
                Pages = total.Pages + 1,
                Records = total.Records + page.Items.Count,
                Steps = total.Steps + write.Steps.Count,
                Quarantined = total.Quarantined + write.Quarantined,
            };
            if (!page.HasMore)
            {
                break;
            }

            StopIfUnsafe(source, options, position, next, total, clock.Elapsed);
            position = next;
        }

        metrics.Polled(source, clock.Elapsed);
        LogPolled(logger, source, total.Pages, total.Records, total.Steps, total.Quarantined);
        return total;
    }

    /// <summary>
    /// Fails the run rather than loop: a feed that says another page is ready without moving its
    /// cursor, or a run past its page or time limit. Everything read so far is committed.
    /// </summary>
    private void StopIfUnsafe(string source, CaseFeedSourceOptions options, SourcePosition position, SourcePosition next, PollResult total, TimeSpan elapsed)
    {
        var reason =
            next.Cursor == position.Cursor ? $"Case feed '{source}' said another page is ready (hasMore) but its cursor did not move; stopped to avoid reading the same page for ever"
            : total.Pages >= options.MaxPagesPerRun ? $"Case feed '{source}' still had pages after {total.Pages} (MaxPagesPerRun); the next run goes on from here"
            : elapsed >= options.MaxRunTime ? $"Case feed '{source}' still had pages after {elapsed:g} (MaxRunTime); the next run goes on from here"
            : null;
        if (reason is not null)
        {
            LogRunStopped(logger, source, reason);
            throw new CaseFeedRunStoppedException(reason);
        }
    }

    /// <summary>What a page's write stored, for the counters.</summary>
    private sealed record WriteResult(int Records, IReadOnlyList<DetectedStep> Steps, int Quarantined);

    /// <summary>
    /// Writes a page (records, steps, notices, quarantine, then the cursor) in one transaction. If
    /// PostgreSQL refuses the page for its data, a record in it must be at fault: the page is
    /// written again in halves, and a refused half in halves again, down to the record it refuses,
    /// which is quarantined with the error's SqlState (a page with one such record in a thousand
    /// takes about twenty writes, not a thousand). The cursor moves only once every record is
    /// stored or set aside.
    /// </summary>
    private async Task<WriteResult> WritePageAsync(
        NpgsqlConnection connection, string source, List<ParsedItem> parsed, SourcePosition position, SourcePosition next,
        StepDetector detector, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteAsync(connection, source, parsed, position, next, detector, cancellationToken);
        }
        catch (PostgresException exception) when (DatabaseErrors.IsAboutTheData(exception))
        {
            LogPageRefused(logger, source, DatabaseErrors.Describe(exception));
        }

        var results = new List<WriteResult>();
        var half = parsed.Count / 2;
        await WriteInHalvesAsync(connection, source, parsed[..half], position, detector, results, cancellationToken);
        await WriteInHalvesAsync(connection, source, parsed[half..], position, detector, results, cancellationToken);
        results.Add(await WriteAsync(connection, source, [], position, next, detector, cancellationToken));
        return new WriteResult(results.Sum(r => r.Records), results.SelectMany(r => r.Steps).ToList(), results.Sum(r => r.Quarantined));
    }

    /// <summary>Writes <paramref name="items"/> (the cursor unmoved); if refused, each half in turn, in page order, down to the refused record.</summary>
    private async Task WriteInHalvesAsync(
        NpgsqlConnection connection, string source, List<ParsedItem> items, SourcePosition position, StepDetector detector,
        List<WriteResult> results, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return;
        }

        try
        {
            results.Add(await WriteAsync(connection, source, items, position, position, detector, cancellationToken));
            return;
        }
        catch (PostgresException exception) when (DatabaseErrors.IsAboutTheData(exception) && items.Count == 1)
        {
            results.Add(await QuarantineRefusedAsync(connection, source, items[0], exception.SqlState, position, detector, cancellationToken));
            return;
        }
        catch (PostgresException exception) when (DatabaseErrors.IsAboutTheData(exception))
        {
            // One of them is at fault: find it.
        }

        var half = items.Count / 2;
        await WriteInHalvesAsync(connection, source, items[..half], position, detector, results, cancellationToken);
        await WriteInHalvesAsync(connection, source, items[half..], position, detector, results, cancellationToken);
    }

    /// <summary>
    /// Quarantines a record the database refused; if even its quarantine row is refused (the
    /// payload or id holds what PostgreSQL cannot store), the row keeps only the reason, so the
    /// page still commits.
    /// </summary>
    private async Task<WriteResult> QuarantineRefusedAsync(
        NpgsqlConnection connection, string source, ParsedItem item, string sqlState, SourcePosition position, StepDetector detector, CancellationToken cancellationToken)
    {
        var reason = item.Reason ?? $"could not be stored: database error {sqlState}";
        try
        {
            return await WriteAsync(connection, source, [item with { Record = null, Reason = reason }], position, position, detector, cancellationToken);
        }
        catch (PostgresException exception) when (DatabaseErrors.IsAboutTheData(exception))
        {
            var bare = new ParsedItem(null, "", $"{reason}; its payload could not be stored either (database error {exception.SqlState})", null);
            return await WriteAsync(connection, source, [bare], position, position, detector, cancellationToken);
        }
    }

    private async Task<WriteResult> WriteAsync(
        NpgsqlConnection connection, string source, List<ParsedItem> parsed, SourcePosition position, SourcePosition next,
        StepDetector detector, CancellationToken cancellationToken)
    {
        PageWrite write;
        IReadOnlyList<Guid> added;
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await CaseFeedStore.LockDetectionAsync(connection, transaction);
            var context = await LoadContextAsync(connection, transaction, source, parsed);
            write = DetectPage(source, parsed, position, next, context, detector);
            added = await store.SavePageAsync(connection, transaction, write);
            await transaction.CommitAsync(cancellationToken);
        }

        if (added.Count > 0)
        {
            dispatcher.ScheduleDispatch();
        }

        return new WriteResult(write.Records.Count, write.Steps.Select(s => s.Step).ToList(), write.Quarantined.Count);
    }

    private async Task<LinkedRecords> LoadContextAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string source, List<ParsedItem> parsed)
    {
        await MarkSharedNhsNumbersAsync(connection, transaction, source, parsed);
        var records = parsed.Select(p => p.Record).OfType<SourceRecord>().ToList();
        var subjects = new PageSubjects(
            records.Select(r => r.Record.ChildId).Distinct(StringComparer.Ordinal).ToArray(),
            records.Select(r => r.UsableNhsNumber).OfType<string>().Distinct(StringComparer.Ordinal).ToArray(),
            records.SelectMany(r => ChildIdentity.ExternalKeys(r.Record)).Distinct(StringComparer.Ordinal).ToArray());
        var rows = await ChildStore.LoadAsync(connection, transaction, source, subjects, continuum.Lowest.Code);
        var keys = rows.Select(r => (r.Source, r.ChildId)).Concat(records.Select(r => (r.Source, r.Record.ChildId))).Distinct().ToArray();
        var agreements = await HandoverStore.OpenAgreementsAsync(
            connection, transaction, keys.Select(k => k.Source).ToArray(), keys.Select(k => k.Item2).ToArray());
        var context = new LinkedRecords(
            rows.Select(row => new StoredRecord(
                ToSourceRecord(row),
                row.LastStepDownOn is { } date ? DateOnly.FromDateTime(date) : null)),
            agreements.Select(a => new OpenAgreement(a.Id, a.Source, a.ChildId, LevelOrNull(a.Target), LevelOrNull(a.HeldFrom))));

        var unknown = records.Select(r => r.Record.ChildId).Where(id => context.Find(source, id) is null).Distinct(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            foreach (var (childId, version) in await ChildStore.ErasedVersionsAsync(connection, transaction, source, unknown))
            {
                context.PutErased(source, childId, version);
            }
        }

        // Rarely any: children whose stored NHS number identified nobody and whose new one does.
        var matched = records
            .Where(r => r.UsableNhsNumber is not null && context.Find(source, r.Record.ChildId) is { } stored && stored.Record.UsableNhsNumber is null)
            .Select(r => r.Record.ChildId)
            .ToArray();
        if (matched.Length > 0)
        {
            foreach (var childId in await NotificationLedger.GpNoticeWithheldAsync(connection, transaction, source, matched))
            {
                context.Put(context.Find(source, childId)! with { GpNoticeWithheld = true });
            }
        }

        return context;
    }

    /// <summary>
    /// A number held by two different children in one source identifies nobody: marks the page's
    /// records whose number another child holds, in storage or in the same page.
    /// </summary>
    private static async Task MarkSharedNhsNumbersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string source, List<ParsedItem> parsed)
    {
        var withNumbers = parsed.Select(p => p.Record).OfType<SourceRecord>().Where(r => r.UsableNhsNumber is not null).ToArray();
        var shared = withNumbers
            .GroupBy(r => r.UsableNhsNumber!, StringComparer.Ordinal)
            .Where(g => g.Select(r => r.Record.ChildId).Distinct(StringComparer.Ordinal).Count() > 1)
            .SelectMany(g => g.Select(r => r.Record.ChildId))
            .ToHashSet(StringComparer.Ordinal);
        if (withNumbers.Length > 0)
        {
            shared.UnionWith(await ChildStore.SharedNhsNumbersAsync(
                connection, transaction, source, withNumbers.Select(r => r.Record.ChildId).ToArray(), withNumbers.Select(r => r.UsableNhsNumber!).ToArray()));
        }

        for (var i = 0; i < parsed.Count; i++)
        {
            if (parsed[i].Record is { } record && shared.Contains(record.Record.ChildId))
            {
                parsed[i] = parsed[i] with { Record = record with { NhsNumberShared = true } };
            }
        }
    }

    private SourceRecord ToSourceRecord(StoredRow row)
    {
        var record = JsonSerializer.Deserialize<ChildRecord>(row.Json, JsonOptions)!;
        return new SourceRecord(row.Source, record, continuum.Get(row.LevelCode))
        {
            NhsNumberShared = row.NhsNumberShared,
            AgreedTarget = parser.AgreedTarget(row.Source, record),
        };
    }

    private Level? LevelOrNull(string? code) => code is not null && continuum.TryGet(code, out var level) ? level : null;

    private PageWrite DetectPage(
        string source,
        List<ParsedItem> parsed,
        SourcePosition position,
        SourcePosition next,
        LinkedRecords context,
        StepDetector detector)
    {
        var isBaseline = !position.BaselineCompleted;
        var records = new Dictionary<string, RecordToStore>(StringComparer.Ordinal);
        var steps = new List<StepToStore>();
        var handovers = new List<HandoverToStore>();
        var notifications = new List<NotificationToStore>();
        var quarantined = new List<QuarantinedRecord>();
        var holds = new Dictionary<Guid, HoldToStore>();

        foreach (var (current, payload, reason, childId) in parsed)
        {
            if (current is null)
            {
                quarantined.Add(new QuarantinedRecord(childId, reason!, payload));
                continue;
            }

            var record = current.Record;
            var previous = context.Find(source, record.ChildId);
            var erasedAt = context.ErasedAt(source, record.ChildId);
            if (current.Version <= erasedAt)
            {
                // What was erased, read again (a resync, a replay): it stays erased.
                continue;
            }

            RecordJudgement judgement;
            try
            {
                // A later version of an erased child is adopted quietly, as a baseline: it is not news.
                judgement = Judge(current, previous, context, isBaseline || erasedAt is not null, detector);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // One record the detector cannot judge is set aside; the page and the cursor go on.
                quarantined.Add(new QuarantinedRecord(childId, CouldNotBeJudged(exception), payload));
                continue;
            }

            var detection = judgement.Detection;
            if (detection.Outcome == DetectionOutcome.Replay)
            {
                continue;
            }

            records[record.ChildId] = new RecordToStore(
                record.ChildId, current.Version, current.Level.Code, record.NhsNumber, ChildIdentity.ExternalKeys(record), payload);
            steps.AddRange(detection.Steps.Select(step => new StepToStore(
                source, record.ChildId, step,
                CombinedView.IsAboutTheWholeChild(step.Kind) ? judgement.Combined
                : step.Subject == DetectedStep.ProposedLeadSubject ? judgement.ProposedLead
                : payload,
                HandoverId: judgement.Opened.Any(opened => opened.Id == step.Id) ? step.Id : null)));
            notifications.AddRange(judgement.Planned);
            foreach (var opened in judgement.Opened)
            {
                handovers.Add(new HandoverToStore(opened.Id, record.ChildId, opened.Planned, opened.AgreedOn, opened.StartedOn, opened.TargetCode, opened.Target?.Code));
                if (opened.Planned)
                {
                    context.Put(new OpenAgreement(opened.Id, source, record.ChildId, opened.Target, null));
                }
            }

            // A fall held (or released) is recorded on every open agreement of the child, those
            // this very record opened included.
            foreach (var agreement in context.AgreementsOf(judgement.Related.Prepend(current)).Where(a => a.HeldFrom != detection.HeldFrom))
            {
                var heldSince = detection.HeldFrom is null ? (DateOnly?)null : current.UpdatedOn;
                holds[agreement.Id] = new HoldToStore(agreement.Id, detection.HeldFrom?.Code, heldSince);
                context.Put(agreement with { HeldFrom = detection.HeldFrom });
            }

            var steppedDown = detection.Steps.Where(s => s.EndsAnEpisode).Select(s => (DateOnly?)s.OccurredOn).Max();
            var gpOwed = NotificationRules.GpStillOwed(judgement.Planned.Select(n => n.RecipientRole), previous?.GpNoticeWithheld ?? false);
            context.Put(new StoredRecord(current, steppedDown ?? previous?.LastStepDownOn, gpOwed));
        }

        return new PageWrite(source, records.Values.ToList(), steps, notifications, handovers, quarantined, next, holds.Values.ToList());
    }

    /// <summary>What the detector made of one record, worked out before anything of it is written down.</summary>
    private sealed record RecordJudgement(
        Detection Detection, IReadOnlyList<SourceRecord> Related, string Combined, string ProposedLead, IReadOnlyList<NotificationToStore> Planned, IReadOnlyList<HandoverOpening> Opened);

    /// <summary>Judges one record against what is stored of the child: pure, so a throw leaves the page's state as it was.</summary>
    private RecordJudgement Judge(SourceRecord current, StoredRecord? previous, LinkedRecords context, bool isBaseline, StepDetector detector)
    {
        var related = isBaseline ? [] : context.RelatedTo(current);
        var relatedRecords = related.Select(r => r.Record).ToArray();
        var agreements = context.AgreementsOf(relatedRecords.Prepend(current));
        var journey = new JourneyState(
            agreements.Count > 0,
            agreements.Select(a => a.Target).OfType<Level>().MinBy(l => l.Rank),
            agreements.Select(a => a.HeldFrom).OfType<Level>().MaxBy(l => l.Rank));
        var lastStepDown = related.Append(previous).Max(r => r?.LastStepDownOn);
        var detection = detector.Detect(new DetectionInput(
            current, previous?.Record, relatedRecords, lastStepDown, isBaseline, previous?.GpNoticeWithheld ?? false, journey));
        if (detection.Outcome == DetectionOutcome.Replay)
        {
            return new RecordJudgement(detection, relatedRecords, "", "", [], []);
        }

        return new RecordJudgement(
            detection,
            relatedRecords,
            JsonSerializer.Serialize(CombinedView.For(current, relatedRecords), JsonOptions),
            detection.Steps.Any(s => s.Subject == DetectedStep.ProposedLeadSubject)
                ? JsonSerializer.Serialize(current.Record with { LeadProfessional = current.Record.StepDown?.ProposedLeadProfessional }, JsonOptions)
                : "",
            planner.Plan(detection.Steps, current.UsableNhsNumber is not null).ToList(),
            detection.Steps.Select(step => HandoverOpening.OpenedBy(step, current)).OfType<HandoverOpening>().ToList());
    }

    /// <summary>Why a record could not be judged: the exception's type and where it was thrown, never its message (it may quote a value).</summary>
    private static string CouldNotBeJudged(Exception exception) =>
        $"could not be judged: {exception.GetType().Name} in {exception.TargetSite?.DeclaringType?.Name}.{exception.TargetSite?.Name}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {Source} is being polled by another instance; skipping this run")]
    private static partial void LogSkipped(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {Source} said its cursor has expired (410): resyncing from the start; only real differences will be notified")]
    private static partial void LogResync(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Source {Source}: {Reason}")]
    private static partial void LogRunStopped(ILogger logger, string source, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {Source}: the database refused a page ({Error}); writing it again in halves to set the offending record aside")]
    private static partial void LogPageRefused(ILogger logger, string source, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Polled {Source}: {Pages} pages, {Records} records, {Steps} steps, {Quarantined} quarantined")]
    private static partial void LogPolled(ILogger logger, string source, int pages, int records, int steps, int quarantined);
}
