using System.Text.Json;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.ChildRecords;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Notifications;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>
/// Turns one page of a source's feed, with what is stored of its children, into what to write:
/// pure (no I/O), so that the poller is a loop that loads, calls <see cref="Detect"/> and stores.
/// One record the detector cannot judge is set aside with its reason; the rest of the page goes on.
/// </summary>
internal sealed class PageDetection(StepDetector detector, NotificationPlanner planner, bool tracksAgreements = true)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// What a page comes to, record by record in page order: the records to store, their steps
    /// and notices, the handovers they open, the falls held or released, and the records set
    /// aside. <paramref name="context"/> is updated as it goes, so a child that appears twice in
    /// one page is judged against its own earlier version.
    /// </summary>
    /// <param name="source">The page's source.</param>
    /// <param name="parsed">Its items, parsed.</param>
    /// <param name="position">Where the source stood before the page.</param>
    /// <param name="next">Where it stands after.</param>
    /// <param name="context">What is stored of the page's children and their linked records.</param>
    public PageWrite Detect(string source, IReadOnlyList<ParsedItem> parsed, SourcePosition position, SourcePosition next, LinkedRecords context)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(context);
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
            var tombstone = context.ErasedAt(source, record.ChildId);
            if (current.Version <= tombstone?.Version)
            {
                // What was erased, read again (a resync, a replay): it stays erased.
                continue;
            }

            RecordJudgement judgement;
            try
            {
                // A later version of an erased or purged child is adopted quietly, as a baseline,
                // unless it is above the level the child was at: a case reopened higher is news.
                judgement = tombstone is null ? Judge(current, previous, context, isBaseline)
                    : tombstone.IsNews(current) && !isBaseline ? Judge(current, tombstone.AsPrevious(current), context, false)
                    : Judge(current, previous, context, true);
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
            records[record.ChildId] = new RecordToStore(
                record.ChildId, current.Version, current.Level.Code, record.NhsNumber, ChildIdentity.ExternalKeys(record), payload, gpOwed);
            context.Put(new StoredRecord(current, steppedDown ?? previous?.LastStepDownOn, gpOwed));
        }

        return new PageWrite(source, records.Values.ToList(), steps, notifications, handovers, quarantined, next, holds.Values.ToList());
    }

    /// <summary>What the detector made of one record, worked out before anything of it is written down.</summary>
    private sealed record RecordJudgement(
        Detection Detection, IReadOnlyList<SourceRecord> Related, string Combined, string ProposedLead, IReadOnlyList<NotificationToStore> Planned, IReadOnlyList<HandoverOpening> Opened);

    /// <summary>Judges one record against what is stored of the child: pure, so a throw leaves the page's state as it was.</summary>
    private RecordJudgement Judge(SourceRecord current, StoredRecord? previous, LinkedRecords context, bool isBaseline)
    {
        var related = isBaseline ? [] : context.RelatedTo(current);
        var relatedRecords = related.Select(r => r.Record).ToArray();
        var agreements = context.AgreementsOf(relatedRecords.Prepend(current));
        var journey = new JourneyState(
            agreements.Count > 0,
            agreements.Select(a => a.Target).OfType<Level>().MinBy(l => l.Rank),
            agreements.Select(a => a.HeldFrom).OfType<Level>().MaxBy(l => l.Rank));
        var lastStepDown = related.Append(previous).Max(r => r?.LastStepDownOn);
        var conflicting = isBaseline ? [] : context.ConflictingWith(current).Select(r => r.Record).ToArray();
        var detection = detector.Detect(new DetectionInput(
            current, previous?.Record, relatedRecords, lastStepDown, isBaseline, previous?.GpNoticeWithheld ?? false, journey, conflicting, tracksAgreements));
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
}
