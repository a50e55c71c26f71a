using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.ChildRecords;
using StepUpDown.Integration.Mail;
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
    ReplyAddresses replyAddresses,
    TimeProvider time,
    StepUpDownMetrics metrics,
    ILogger<HandoverSweep> logger)
{
    private const string HandoverSavepoint = "handover";
    private readonly HandoverReviewer _reviewer = new(calendar, options, continuum, planner, replyAddresses);

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
            await using var work = await UnitOfWork.BeginAsync(connection, now, cancellationToken);
            var batch = await new HandoverStore(work).LockOpenBatchAsync(after, batchSize);
            var outcome = await ReviewAsync(work, batch, ladder, result);
            await work.CommitAsync(cancellationToken);
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
    private async Task<BatchOutcome> ReviewAsync(UnitOfWork work, List<OpenHandover> batch, EscalationLadder ladder, SweepResult result)
    {
        var records = await LoadRecordsAsync(work, batch);
        var transaction = work.Transaction;
        var outcome = new BatchOutcome(result, 0, null, []);
        foreach (var handover in batch)
        {
            if (records.Find(handover.Source, handover.ChildId) is not { } own)
            {
                continue;
            }

            var child = records.RelatedTo(own.Record).Select(r => r.Record).Prepend(own.Record).ToArray();
            await transaction.SaveAsync(HandoverSavepoint);
            try
            {
                var (reviewed, added) = await ReviewOneAsync(work, handover, own, child, ladder, outcome.Result);
                await transaction.ReleaseAsync(HandoverSavepoint);
                outcome = outcome with { Result = reviewed, Added = outcome.Added + added };
            }
            catch (CalendarExhaustedException exception) when (!CoversToday(work.Now))
            {
                // Today is past the calendar: every handover waits, and the job says why.
                await transaction.RollbackAsync(HandoverSavepoint);
                outcome = outcome with { CalendarFailure = exception };
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // This handover's own dates (or data) cannot be reviewed: set aside with its reason.
                await transaction.RollbackAsync(HandoverSavepoint);
                var reason = exception switch
                {
                    PostgresException database => DatabaseErrors.Describe(database),
                    CalendarExhaustedException => $"a date of this handover is outside the bank holiday calendar ({calendar.FirstYear} to {calendar.LastYear}): correct it in the case system",
                    _ => exception.GetType().Name,
                };
                await new HandoverStore(work).RecordReviewErrorAsync(handover.Id, reason);
                LogReviewFailed(logger, handover.Id, reason);
                outcome = outcome with { Failed = [.. outcome.Failed, handover.Id] };
            }
        }

        return outcome;
    }

    private bool CoversToday(DateTimeOffset now) => options.Value.DateAt(now).Year is var year && year >= calendar.FirstYear && year <= calendar.LastYear;

    /// <summary>Reviews one handover (<see cref="HandoverReviewer"/>) and writes what it decided.</summary>
    /// <exception cref="CalendarExhaustedException">A date is outside the bank holiday calendar.</exception>
    private async Task<(SweepResult Result, int Added)> ReviewOneAsync(
        UnitOfWork work, OpenHandover handover, StoredRecord own, SourceRecord[] child, EscalationLadder ladder, SweepResult result)
    {
        var handovers = new HandoverStore(work);
        var history = await handovers.HistoryAsync(handover, child);
        var outcome = _reviewer.Review(
            new HandoverCase(handover, own.Record, child, HandoverReviewer.CurrentAgreement(handover, own.Record.Record), history, own.GpNoticeWithheld, work.Now), ladder);
        if (outcome.ReleaseHold)
        {
            await handovers.ReleaseHoldAsync(handover.Id);
            LogSettled(logger, handover.Id);
        }

        var added = 0;
        if (outcome.Steps.Count > 0)
        {
            await new StepStore(work).AddStepsAsync([.. outcome.Steps.Select(s => s.Step)]);
            added = (await NotificationLedger.AddAsync(work, [.. outcome.Steps.SelectMany(s => s.Notices)])).Count;
        }

        if (outcome.GpOwed is { } gpOwed)
        {
            await new ChildStore(work).RecordGpOwedAsync(handover.Source, handover.ChildId, gpOwed);
        }

        await handovers.RecordReviewAsync(handover.Id, outcome.Row);
        result = result with { Reviewed = result.Reviewed + 1 };
        switch (outcome.Decision)
        {
            case HandoverDecision.Withdraw withdraw:
                LogWithdrawn(logger, handover.Id, withdraw.Reason);
                result = result with { Withdrawn = result.Withdrawn + 1 };
                break;
            case HandoverDecision.Complete complete:
                LogCompleted(logger, handover.Id, complete.WorkingDays);
                result = result with { Completed = result.Completed + 1 };
                break;
            case HandoverDecision.Escalate escalate:
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
    private async Task<LinkedRecords> LoadRecordsAsync(UnitOfWork work, List<OpenHandover> open)
    {
        var children = new ChildStore(work);
        var rows = new List<StoredRow>();
        foreach (var bySource in open.GroupBy(h => h.Source, StringComparer.Ordinal))
        {
            var subjects = await children.SubjectsOfAsync(bySource.Key, bySource.Select(h => h.ChildId).Distinct(StringComparer.Ordinal).ToArray());
            rows.AddRange(await children.LoadAsync(bySource.Key, subjects));
        }

        return new LinkedRecords(rows.Select(row => row.ToStoredRecord(continuum)));
    }

    /// <summary>What reviewing one batch did: the running result, notices added, and what failed.</summary>
    private sealed record BatchOutcome(SweepResult Result, int Added, CalendarExhaustedException? CalendarFailure, IReadOnlyList<Guid> Failed);

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
