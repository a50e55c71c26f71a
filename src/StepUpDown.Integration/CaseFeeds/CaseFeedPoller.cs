using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.Notifications;

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
    IOptions<ContinuumOptions> continuumOptions,
    NotificationPlanner planner,
    INotificationDispatcher dispatcher,
    ILogger<CaseFeedPoller> logger)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly ContinuumOfNeed _continuum = continuumOptions.Value.ToContinuum();

    /// <summary>Polls <paramref name="source"/> until its feed has no more pages.</summary>
    /// <exception cref="CaseFeedUnavailableException">The feed answered with an error after its retries.</exception>
    public async Task<PollResult> PollAsync(string source, CancellationToken cancellationToken)
    {
        if (!feeds.Value.Sources.TryGetValue(source, out var options))
        {
            throw new InvalidOperationException($"No case feed named '{source}' is configured under {CaseFeedOptions.SectionName}:Sources.");
        }

        var api = services.GetRequiredKeyedService<ICaseFeedApi>(source);
        var levels = new LevelMap(_continuum, options.LevelCodes);
        var detector = new StepDetector(_continuum);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var sourceLock = await SourceLock.TryAcquireAsync(connection, source, cancellationToken);
        if (sourceLock is null)
        {
            LogSkipped(logger, source);
            return new PollResult(true, 0, 0, 0, 0);
        }

        var position = await CaseFeedStore.GetPositionAsync(connection, source);
        var total = new PollResult(false, 0, 0, 0, 0);
        while (true)
        {
            using var response = await api.GetChildChangesAsync(position.Cursor, options.PageSize, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Gone && position.Cursor is not null)
            {
                LogResync(logger, source);
                position = position with { Cursor = null };
                continue;
            }

            if (!response.IsSuccessStatusCode || response.Content is null)
            {
                throw new CaseFeedUnavailableException(source, response.StatusCode);
            }

            var page = response.Content;
            var write = DetectPage(source, page, position, await LoadStatesAsync(connection, source, page), levels, detector);
            var added = await store.SavePageAsync(connection, write, cancellationToken);
            await dispatcher.EnqueueAsync(added, cancellationToken);

            position = write.Position;
            total = total with
            {
                Pages = total.Pages + 1,
                Records = total.Records + page.Items.Count,
                Steps = total.Steps + write.Steps.Count,
                Quarantined = total.Quarantined + write.Quarantined.Count,
            };
            if (!page.HasMore)
            {
                break;
            }
        }

        LogPolled(logger, source, total.Pages, total.Records, total.Steps, total.Quarantined);
        return total;
    }

    private static Task<Dictionary<string, StoredState>> LoadStatesAsync(NpgsqlConnection connection, string source, ChangePage page)
    {
        var childIds = page.Items
            .Select(item => item.ValueKind == JsonValueKind.Object && item.TryGetProperty("childId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return CaseFeedStore.LoadStatesAsync(connection, source, childIds);
    }

    private PageWrite DetectPage(
        string source,
        ChangePage page,
        SourcePosition position,
        Dictionary<string, StoredState> states,
        LevelMap levels,
        StepDetector detector)
    {
        var isBaseline = !position.BaselineCompleted;
        var records = new Dictionary<string, RecordToStore>(StringComparer.Ordinal);
        var steps = new List<StepToStore>();
        var quarantined = new List<QuarantinedRecord>();

        foreach (var item in page.Items)
        {
            var payload = item.GetRawText();
            if (!TryParse(item, levels, out var record, out var level, out var reason))
            {
                quarantined.Add(new QuarantinedRecord(ChildIdOf(item), reason, payload));
                continue;
            }

            states.TryGetValue(record.ChildId, out var previous);
            var detection = detector.Detect(source, previous, record, level, isBaseline);
            if (detection.Outcome == DetectionOutcome.Replay)
            {
                continue;
            }

            records[record.ChildId] = new RecordToStore(record.ChildId, record.Version!.Value, level.Code, record.NhsNumber, payload);
            states[record.ChildId] = new StoredState(level.Code, record.Version.Value);
            steps.AddRange(detection.Steps.Select(step => new StepToStore(record.ChildId, step, payload)));
        }

        var notifications = steps.SelectMany(s => planner.Plan(s.Step)).ToList();
        var next = new SourcePosition(page.NextCursor ?? position.Cursor, position.BaselineCompleted || !page.HasMore);
        return new PageWrite(source, records.Values.ToList(), steps, notifications, quarantined, next);
    }

    private static bool TryParse(
        JsonElement item,
        LevelMap levels,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChildRecord? record,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Level? level,
        out string reason)
    {
        record = null;
        level = null;
        try
        {
            record = item.Deserialize<ChildRecord>(JsonOptions);
        }
        catch (JsonException exception)
        {
            // The path names the field; the message is not used as it may quote the value.
            reason = $"malformed JSON at {exception.Path ?? "$"}";
            return false;
        }

        if (record is null)
        {
            reason = "the item is not a JSON object";
            return false;
        }

        var problems = RecordValidator.Validate(record);
        if (problems.Count > 0)
        {
            reason = string.Join("; ", problems);
            record = null;
            return false;
        }

        if (!levels.TryResolve(record, out level))
        {
            reason = $"levelOfNeed code '{record.LevelOfNeed}' is not mapped for this source";
            record = null;
            return false;
        }

        reason = "";
        return true;
    }

    private static string? ChildIdOf(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("childId", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {Source} is being polled by another instance; skipping this run")]
    private static partial void LogSkipped(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {Source} said its cursor has expired (410): resyncing from the start; only real differences will be notified")]
    private static partial void LogResync(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Polled {Source}: {Pages} pages, {Records} records, {Steps} steps, {Quarantined} quarantined")]
    private static partial void LogPolled(ILogger logger, string source, int pages, int records, int steps, int quarantined);
}

/// <summary>A case feed answered with an error after its retries. Carries no record data.</summary>
public sealed class CaseFeedUnavailableException : Exception
{
    /// <summary>Creates the exception for a source and the status it answered.</summary>
    public CaseFeedUnavailableException(string source, HttpStatusCode? statusCode)
        : base($"Case feed '{source}' answered {(int?)statusCode} ({statusCode}); the cursor was not moved.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaseFeedUnavailableException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaseFeedUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CaseFeedUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
