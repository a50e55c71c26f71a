using System.Text.Json;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.ChildRecords;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Telemetry;

namespace StepUpDown.Integration.Handovers;

/// <summary>What one sweep did.</summary>
public sealed record SweepResult(int Reviewed, int Escalated, int Completed, int Withdrawn);

/// <summary>
/// Reviews every open handover: its checklist from the child's latest records across sources and
/// the delivery ledger, then withdraws it, completes it (the GP, the new lead and the MASSH are
/// told who now leads) or sends the highest ladder stage now due. Each handover row is locked
/// (<c>FOR UPDATE SKIP LOCKED</c>) and its stage recorded in the same transaction as the stage's
/// ledger rows, whose ids are deterministic: a stage is sent once, whichever instance runs the
/// sweep and however often.
/// </summary>
public sealed partial class HandoverSweep(
    NpgsqlDataSource dataSource,
    WorkingDayCalendar calendar,
    IOptions<HandoverOptions> options,
    ContinuumOfNeed continuum,
    NotificationPlanner planner,
    INotificationDispatcher dispatcher,
    TimeProvider time,
    StepUpDownMetrics metrics,
    ILogger<HandoverSweep> logger)
{
    private const string HandoverSavepoint = "handover";
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Reviews the open handovers no other instance is reviewing, <c>Handovers:SweepBatchSize</c>
    /// at a time, each batch in its own transaction: a long list holds no lock for long, and the
    /// notices of a batch go out as soon as it commits.
    /// </summary>
    /// <exception cref="CalendarExhaustedException">
    /// Today is past the bank holiday calendar: the other decisions are committed, the affected
    /// handovers wait, and the job fails visibly so that ops staff install a newer calendar.
    /// </exception>
    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var ladder = options.Value.ToLadder();
        var batchSize = options.Value.SweepBatchSize;
        var now = time.GetUtcNow();
        var result = new SweepResult(0, 0, 0, 0);
        CalendarExhaustedException? calendarFailure = null;
        var failed = new List<Guid>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var after = (OpenedAt: DateTime.MinValue, Id: Guid.Empty);
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var batch = await HandoverStore.LockOpenBatchAsync(connection, transaction, after, batchSize);
            var outcome = await ReviewAsync(connection, transaction, batch, ladder, now, result);
            await transaction.CommitAsync(cancellationToken);
            result = outcome.Result;
            calendarFailure ??= outcome.CalendarFailure;
            failed.AddRange(outcome.Failed);
            if (outcome.Added > 0)
            {
                dispatcher.ScheduleDispatch();
            }

            if (batch.Count < batchSize)
            {
                break;
            }

            after = (batch[^1].OpenedAt, batch[^1].Id);
        }

        var (openCount, stalledCount) = await HandoverStore.CountOpenAsync(connection);
        metrics.Handovers(openCount, stalledCount);
        if (calendarFailure is not null)
        {
            LogCalendarExhausted(logger, calendarFailure);
            throw calendarFailure;
        }

        return failed.Count == 0
            ? result
            : throw new HandoverReviewFailedException(
                $"{failed.Count} handover(s) could not be reviewed and were left as they were (the others were): {string.Join(", ", failed)}. " +
                "Each one's error is on the Handovers page.");
    }

    /// <summary>
    /// Decides and writes each handover of one batch, in its transaction, each behind a savepoint:
    /// one that throws is rolled back alone, its error kept on its row (and shown on the dashboard),
    /// and the others go on. Returns the sweep's result so far with this batch counted.
    /// </summary>
    private async Task<BatchOutcome> ReviewAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<OpenHandover> batch, EscalationLadder ladder, DateTimeOffset now, SweepResult result)
    {
        var today = LocalDate(now);
        var records = await LoadRecordsAsync(connection, transaction, batch);
        var outcome = new BatchOutcome(result, 0, null, []);
        foreach (var handover in batch)
        {
            if (records.Find(handover.Source, handover.ChildId) is not { } own)
            {
                continue;
            }

            var child = records.RelatedTo(own.Record).Select(r => r.Record).Prepend(own.Record).ToArray();
            var write = new HandoverWrite(connection, transaction, handover, own.Record, child, CurrentAgreement(handover, own.Record.Record), now);
            await transaction.SaveAsync(HandoverSavepoint);
            try
            {
                var (reviewed, added) = await ReviewOneAsync(write, ladder, today, outcome.Result);
                await transaction.ReleaseAsync(HandoverSavepoint);
                outcome = outcome with { Result = reviewed, Added = outcome.Added + added };
            }
            catch (CalendarExhaustedException exception)
            {
                await transaction.RollbackAsync(HandoverSavepoint);
                outcome = outcome with { CalendarFailure = exception };
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                await transaction.RollbackAsync(HandoverSavepoint);
                var reason = exception is PostgresException database ? DatabaseErrors.Describe(database) : exception.GetType().Name;
                await HandoverStore.RecordReviewErrorAsync(connection, transaction, handover.Id, reason, now);
                LogReviewFailed(logger, handover.Id, reason);
                outcome = outcome with { Failed = [.. outcome.Failed, handover.Id] };
            }
        }

        return outcome;
    }

    /// <summary>Reviews one handover: settles a held fall, then withdraws, completes, escalates or waits.</summary>
    /// <exception cref="CalendarExhaustedException">A date is outside the bank holiday calendar.</exception>
    private async Task<(SweepResult Result, int Added)> ReviewOneAsync(HandoverWrite write, EscalationLadder ladder, DateOnly today, SweepResult result)
    {
        var (handover, child, agreement) = (write.Handover, write.Child, write.Agreement);
        var added = (await SettleHeldFallAsync(write, today)).Count;
        var flags = await HandoverStore.FlagsAsync(write.Connection, write.Transaction, handover, child);
        var facts = new HandoverFacts(
            handover.StartedOn,
            agreement,
            HandoverChecklist.LeadAccepted(agreement, child.Select(r => r.Record)),
            flags.GpNotified,
            flags.SteppedBackUp,
            flags.Superseded,
            handover.LastStage,
            Combined(child).Rank < continuum.Get(handover.FromLevel).Rank,
            handover.LastStageOn);
        var decision = HandoverReview.Decide(facts, today, calendar, ladder);
        result = result with { Reviewed = result.Reviewed + 1 };
        switch (decision)
        {
            case HandoverDecision.Wait wait:
                await UpdateAsync(write, HandoverState.Open, wait.Missing, wait.WorkingDays, handover.LastStage, null);
                break;
            case HandoverDecision.Withdraw withdraw:
                await UpdateAsync(write, HandoverState.Withdrawn, [], null, handover.LastStage, withdraw.Reason);
                LogWithdrawn(logger, handover.Id, withdraw.Reason);
                result = result with { Withdrawn = result.Withdrawn + 1 };
                break;
            case HandoverDecision.Complete complete:
                added += (await CompleteAsync(write, complete.WorkingDays)).Count;
                await UpdateAsync(write, HandoverState.Complete, [], complete.WorkingDays, handover.LastStage, null);
                LogCompleted(logger, handover.Id, complete.WorkingDays);
                result = result with { Completed = result.Completed + 1 };
                break;
            case HandoverDecision.Escalate escalate:
                added += (await EscalateAsync(write, ladder, escalate)).Count;
                await UpdateAsync(write, HandoverState.Open, escalate.Missing, escalate.WorkingDays, escalate.Stage, null, today);
                LogEscalated(logger, handover.Id, ladder.Stages[escalate.Stage].Name, escalate.WorkingDays, escalate.Missing.Count);
                result = result with { Escalated = result.Escalated + 1 };
                break;
        }

        return (result, added);
    }

    /// <summary>
    /// The child's records in the handovers' sources and every record matched to them in other
    /// sources. Who to match comes from the stored columns (NHS number, external ids), so each
    /// record is read and parsed once.
    /// </summary>
    private async Task<LinkedRecords> LoadRecordsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<OpenHandover> open)
    {
        var rows = new List<StoredRow>();
        foreach (var bySource in open.GroupBy(h => h.Source, StringComparer.Ordinal))
        {
            var subjects = await ChildStore.SubjectsOfAsync(
                connection, transaction, bySource.Key, bySource.Select(h => h.ChildId).Distinct(StringComparer.Ordinal).ToArray());
            rows.AddRange(await ChildStore.LoadAsync(connection, transaction, bySource.Key, subjects, continuum.Lowest.Code));
        }

        return new LinkedRecords(rows.Select(row => new StoredRecord(
            new SourceRecord(row.Source, JsonSerializer.Deserialize<ChildRecord>(row.Json, JsonOptions)!, continuum.Get(row.LevelCode))
            {
                NhsNumberShared = row.NhsNumberShared,
            },
            null)));
    }

    private static Level Combined(IEnumerable<SourceRecord> child) => child.Select(r => r.Level).MaxBy(l => l.Rank)!;

    /// <summary>
    /// A fall below the agreed target, held while the record at the target was awaited, whose
    /// settling window (<c>Handovers:SettlingWorkingDays</c>) has ended with no such record: it is
    /// a step down to the level the child is now at, told as any step down is.
    /// </summary>
    private async Task<IReadOnlyList<Guid>> SettleHeldFallAsync(HandoverWrite write, DateOnly today)
    {
        var handover = write.Handover;
        if (handover.HeldFrom is not { } heldFrom || handover.HeldSince is not { } heldSince
            || !HandoverReview.SettlingEnded(heldSince, today, calendar, options.Value.SettlingWorkingDays))
        {
            return [];
        }

        var step = HandoverStep(write, StepKind.StepDown, $"{handover.Id:N}:settled") with { From = continuum.Get(heldFrom) };
        var related = write.Child.Where(r => !ReferenceEquals(r, write.Own)).ToArray();
        var record = CombinedView.For(write.Own, related);
        await HandoverStore.ReleaseHoldAsync(write.Connection, write.Transaction, handover.Id);
        LogSettled(logger, handover.Id);
        return await AddAsync(write, step, record, null, planner.Plan([step], write.Own.UsableNhsNumber is not null).ToArray());
    }

    /// <summary>The step down as the source now records it; as last seen when the source has dropped the block.</summary>
    private static StepDownAgreement? CurrentAgreement(OpenHandover handover, ChildRecord own)
    {
        if (handover.Planned && own.StepDown is { } current && current.AgreedOn == handover.AgreedOn)
        {
            return current;
        }

        return handover.AgreementJson is null ? null : JsonSerializer.Deserialize<StepDownAgreement>(handover.AgreementJson, JsonOptions);
    }

    /// <summary>The completion notices: the record with the new lead (and their plan) that now holds.</summary>
    private async Task<IReadOnlyList<Guid>> CompleteAsync(HandoverWrite write, int workingDays)
    {
        var own = write.Own.Record;
        var records = write.Child.Select(r => r.Record).ToArray();
        var accepting = HandoverChecklist.AcceptingRecord(write.Agreement, records);
        var combined = CombinedView.For(write.Own, write.Child.Where(r => !ReferenceEquals(r, write.Own)).ToArray());
        var record = own with
        {
            StepDown = write.Agreement,
            LeadProfessional = HandoverChecklist.AcceptedLead(write.Agreement, records),
            Plan = accepting?.Plan ?? combined.Plan ?? own.Plan,
            GpPractice = combined.GpPractice,
        };
        var step = HandoverStep(write, StepKind.StepDownComplete, $"{write.Handover.Id:N}");
        var details = new HandoverDetails(null, false, workingDays, [], write.Handover.StartedOn, write.Handover.Planned);
        return await AddAsync(write, step, record, details, planner.Plan([step], write.Own.UsableNhsNumber is not null).ToArray());
    }

    /// <summary>One ladder stage: the roles it names, with what is missing and for how long.</summary>
    private async Task<IReadOnlyList<Guid>> EscalateAsync(HandoverWrite write, EscalationLadder ladder, HandoverDecision.Escalate escalate)
    {
        var stage = ladder.Stages[escalate.Stage].For(write.Agreement);
        var record = write.Own.Record with { StepDown = write.Agreement };
        var subject = escalate.Repeat ? $"{write.Handover.Id:N}:{escalate.Stage}:{LocalDate(write.Now):yyyy-MM-dd}" : $"{write.Handover.Id:N}:{escalate.Stage}";
        var step = HandoverStep(write, StepKind.HandoverStalled, subject);
        var next = ladder.Next(escalate.Stage, write.Handover.StartedOn, LocalDate(write.Now), calendar);
        var details = new HandoverDetails(
            stage.Name,
            escalate.Stage == ladder.Stages.Count - 1,
            escalate.WorkingDays,
            escalate.Missing.Select(HandoverChecklist.Describe).ToArray(),
            write.Handover.StartedOn,
            write.Handover.Planned,
            next?.Stage.Name,
            next?.On);
        return await AddAsync(write, step, record, details, planner.PlanStage(step, stage).ToArray());
    }

    /// <summary>A step the sweep found: from the level when the handover opened to the child's combined level now.</summary>
    private DetectedStep HandoverStep(HandoverWrite write, StepKind kind, string subject)
    {
        var handover = write.Handover;
        var markers = (handover.Planned ? StepMarkers.None : StepMarkers.Unplanned)
                      | DetectedStep.NhsNumberMarker(write.Own);
        return new DetectedStep(
            DetectedStep.IdFor(handover.Source, handover.ChildId, kind, 0, subject),
            kind,
            continuum.Get(handover.FromLevel),
            Combined(write.Child),
            null,
            write.Own.Version,
            subject,
            markers,
            LocalDate(write.Now));
    }

    /// <summary>The council's date at <paramref name="instant"/>: what "today" means for working days.</summary>
    private DateOnly LocalDate(DateTimeOffset instant) => options.Value.DateAt(instant);

    private static async Task<IReadOnlyList<Guid>> AddAsync(
        HandoverWrite write, DetectedStep step, ChildRecord record, HandoverDetails? details, IReadOnlyList<NotificationToStore> notifications)
    {
        var toStore = new StepToStore(
            write.Handover.Source,
            write.Handover.ChildId,
            step,
            JsonSerializer.Serialize(record, JsonOptions),
            details is null ? null : JsonSerializer.Serialize(details, JsonOptions),
            write.Handover.Id);
        await Ledger.AddStepsAsync(write.Connection, write.Transaction, [toStore], write.Now);
        return await NotificationLedger.AddAsync(write.Connection, write.Transaction, notifications, write.Now);
    }

    private static Task UpdateAsync(
        HandoverWrite write, HandoverState state, IReadOnlyList<ChecklistItem> missing, int? workingDays, int? lastStage, string? closedReason, DateOnly? stageSentOn = null) =>
        HandoverStore.RecordReviewAsync(
            write.Connection,
            write.Transaction,
            write.Handover.Id,
            new HandoverReviewed(
                state, missing, workingDays, lastStage, stageSentOn, write.Agreement is null ? null : JsonSerializer.Serialize(write.Agreement, JsonOptions), closedReason),
            write.Now);

    /// <summary>What reviewing one batch did: the running result, notices added, and what failed.</summary>
    private sealed record BatchOutcome(SweepResult Result, int Added, CalendarExhaustedException? CalendarFailure, IReadOnlyList<Guid> Failed);

    /// <summary>What writing one handover's outcome needs.</summary>
    private sealed record HandoverWrite(
        NpgsqlConnection Connection,
        NpgsqlTransaction Transaction,
        OpenHandover Handover,
        SourceRecord Own,
        SourceRecord[] Child,
        StepDownAgreement? Agreement,
        DateTimeOffset Now);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handover {HandoverId} withdrawn: {Reason}")]
    private static partial void LogWithdrawn(ILogger logger, Guid handoverId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handover {HandoverId} complete after {WorkingDays} working days")]
    private static partial void LogCompleted(ILogger logger, Guid handoverId, int workingDays);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handover {HandoverId} stalled: {Stage} sent after {WorkingDays} working days, {Missing} items missing")]
    private static partial void LogEscalated(ILogger logger, Guid handoverId, string stage, int workingDays, int missing);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handover {HandoverId}: no record at the agreed level arrived within the settling window; the held fall is announced as a step down")]
    private static partial void LogSettled(ILogger logger, Guid handoverId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handover {HandoverId} could not be reviewed ({Reason}); it is left as it was and the others go on")]
    private static partial void LogReviewFailed(ILogger logger, Guid handoverId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handovers cannot be reviewed: the bank holiday calendar has run out")]
    private static partial void LogCalendarExhausted(ILogger logger, Exception exception);
}
