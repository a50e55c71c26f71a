using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using StepUpDown.Domain.Records;
using StepUpDown.SsdFeed.Reading;

namespace StepUpDown.SsdFeed.ChangeLog;

/// <summary>
/// One refresh: read the whole dataset, build every served person's record for today, and append
/// to the change log only those whose canonical JSON changed. A refresh in which more than
/// <see cref="SsdFeedOptions.MaxClosingShare"/> of open persons would close, fall a level or vanish reads
/// like a half-loaded dataset (the nightly truncate-and-reload running, a table left empty): it is
/// refused, logged, and the last good state stays served, until a refresh passes or an operator
/// accepts one (<c>accept-refresh</c>).
/// </summary>
public sealed partial class FeedRefresh(
    SsdFeedOptions options, string ssdConnectionString, ChangeLog log, StaffDirectory directory, TimeProvider clock, HttpClient nudge, ILogger<FeedRefresh> logger) : IDisposable
{
    /// <summary>How records are written: the contract's camelCase names, absent fields left out.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly SsdDialect _dialect = new(options.Provider, options.Schema);
    private readonly RecordReading _reading = new(options.LevelCodes, options.LeadRoleCodes, directory);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Runs one refresh (after any running one) and records how it ended.</summary>
    public async Task<RefreshRecord> RunAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return await RefreshAsync(cancellationToken);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<RefreshRecord> RefreshAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone)).DateTime);
        SsdSnapshot snapshot;
        try
        {
            snapshot = await SsdSnapshot.ReadAsync(_dialect, ssdConnectionString, options.GpPracticeQuery, options.StepDownQuery, cancellationToken);
        }
        catch (DbException exception)
        {
            // The error's code, never its message: a conversion error quotes the value it could not read.
            var code = exception is Npgsql.PostgresException postgres ? postgres.SqlState
                : exception is Microsoft.Data.SqlClient.SqlException sqlServer ? sqlServer.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : exception.GetType().Name;
            var failed = new RefreshRecord { FinishedAt = now.UtcDateTime, Outcome = RefreshRecord.Failed, Detail = $"the dataset could not be read (error {code})" };
            LogFailed(code);
            await log.RecordAsync(failed, cancellationToken);
            return failed;
        }

        var served = await log.ServedAsync(cancellationToken);
        var changed = new List<NewRecord>();
        var persons = 0;
        var closing = 0;
        var unseen = served.Values.Where(p => p.IsOpen).Select(p => p.PersonId).ToHashSet(StringComparer.Ordinal);
        foreach (var person in snapshot.Persons)
        {
            if (_reading.Read(person, snapshot, today) is not { } record)
            {
                continue;
            }

            persons++;
            unseen.Remove(person.PersonId);
            var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(record, Json));
            served.TryGetValue(person.PersonId, out var before);
            if (before is not null && before.Hash.AsSpan().SequenceEqual(hash) && before.IsOpen == !record.IsClosed)
            {
                continue;
            }

            var rank = RankOf(record);
            if (before is { IsOpen: true } && rank < before.Rank)
            {
                closing++;
            }

            changed.Add(new NewRecord(person.PersonId, hash, !record.IsClosed, rank,
                (version, at) => JsonSerializer.Serialize(record with { Version = version, UpdatedAt = at }, Json)));
        }

        // An open person who is no longer in the dataset at all is not announced (a closure would be
        // a guess), but counts against the share: a table emptied by a reload looks like this.
        closing += unseen.Count;
        var result = new RefreshRecord
        {
            FinishedAt = now.UtcDateTime,
            Outcome = RefreshRecord.Served,
            Persons = persons,
            Changed = changed.Count,
            Closing = closing,
            OpenBefore = served.Values.Count(p => p.IsOpen),
        };
        if (closing > 0 && closing > options.MaxClosingShare * result.OpenBefore && !await log.TakeAcceptanceAsync(now, cancellationToken))
        {
            var refused = result with
            {
                Outcome = RefreshRecord.Refused,
                Detail = $"{closing} of {result.OpenBefore} open persons would close, fall a level or vanish at once (more than SsdFeed:MaxClosingShare {options.MaxClosingShare:P0}); the dataset may be half loaded. The last good state is still served; run 'accept-refresh' if this is real.",
            };
            LogRefused(closing, result.OpenBefore);
            await log.RecordAsync(refused, cancellationToken);
            return refused;
        }

        if (changed.Count == 0 && unseen.Count == 0)
        {
            await log.RecordAsync(result, cancellationToken);
            return result;
        }

        await log.AppendAsync(changed, unseen, result, now, cancellationToken);
        LogServed(changed.Count, persons);
        if (changed.Count > 0)
        {
            await NudgeAsync(cancellationToken);
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose() => _oneAtATime.Dispose();

    /// <summary>Where a record stands: 0 closed, then 1 early help … 4 looked after, by the served level codes.</summary>
    private int RankOf(ChildRecord record)
    {
        var codes = options.LevelCodes;
        return record.IsClosed ? 0
            : record.LevelOfNeed == codes.LookedAfter ? 4
            : record.LevelOfNeed == codes.ChildProtection ? 3
            : record.LevelOfNeed == codes.ChildInNeed ? 2
            : 1;
    }

    private async Task NudgeAsync(CancellationToken cancellationToken)
    {
        if (options.Nudge.Url is not { } url)
        {
            return;
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url);
            request.Headers.Add("X-Api-Key", options.Nudge.ApiKey);
            using var response = await nudge.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                LogNudgeRefused((int)response.StatusCode);
            }
        }
        catch (HttpRequestException exception)
        {
            LogNudgeFailed(exception.GetType().Name);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogNudgeFailed(exception.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SSD refresh served {Changed} changed records of {Persons} persons")]
    private partial void LogServed(int changed, int persons);

    [LoggerMessage(Level = LogLevel.Error, Message = "SSD refresh refused: {Closing} of {OpenBefore} open persons would close, fall a level or vanish at once; the dataset may be half loaded. The last good state is still served; 'accept-refresh' accepts the next one")]
    private partial void LogRefused(int closing, int openBefore);

    [LoggerMessage(Level = LogLevel.Error, Message = "SSD refresh failed: the dataset could not be read (error {Code}); the last good state is still served")]
    private partial void LogFailed(string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The worker's nudge answered {Status}; it will poll on its schedule")]
    private partial void LogNudgeRefused(int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The worker's nudge could not be reached ({Error}); it will poll on its schedule")]
    private partial void LogNudgeFailed(string error);
}
