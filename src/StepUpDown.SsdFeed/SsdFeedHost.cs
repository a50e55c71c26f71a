using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Storage;
using StepUpDown.SsdFeed.ChangeLog;
using StepUpDown.SsdFeed.Demo;
using StepUpDown.SsdFeed.Reading;

namespace StepUpDown.SsdFeed;

/// <summary>
/// Builds the SSD feed: settings (section <c>SsdFeed</c>, validated before anything opens), the
/// dataset and the change log (the private cluster and its demo SSD where none is configured), the
/// refresh loop, and the contract's two endpoints.
/// </summary>
public static class SsdFeedHost
{
    /// <summary>The key the demo serves with when none is configured (the demo's data is fictional).</summary>
    public const string DemoApiKey = "demo-ssd-feed-key";

    /// <summary>Builds the feed; <paramref name="overrides"/> are applied last (tests use them).</summary>
    /// <exception cref="OptionsValidationException">A setting is wrong; the message names its key.</exception>
    public static async Task<WebApplication> CreateAsync(string[] args, IReadOnlyDictionary<string, string?>? overrides = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(overrides ?? new Dictionary<string, string?>());
        var options = builder.Configuration.GetSection(SsdFeedOptions.SectionName).Get<SsdFeedOptions>() ?? new SsdFeedOptions();
        SectionValidation.ThrowIfInvalid(options, SsdFeedOptions.SectionName);
        var demo = string.IsNullOrWhiteSpace(options.ConnectionString);
        if (options.ApiKeys.Count == 0)
        {
            if (!demo)
            {
                throw new OptionsValidationException(SsdFeedOptions.SectionName, typeof(SsdFeedOptions), ["SsdFeed:ApiKeys: at least one caller's key is required (the worker's CaseFeeds:Sources:NAME:ApiKey)."]);
            }

            options.ApiKeys["demo"] = DemoApiKey;
        }

        var directory = LoadDirectory(options.Directory.File);
        var cluster = demo || string.IsNullOrWhiteSpace(options.StateConnectionString)
            ? await EmbeddedPostgres.StartAsync(options.Embedded, NullLogger.Instance, cancellationToken)
            : null;
        var ssdConnectionString = demo ? cluster!.ConnectionString : options.ConnectionString!;
        if (demo)
        {
            await DemoSsd.EnsureSeededAsync(ssdConnectionString, options.Schema, TimeProvider.System, cancellationToken);
        }

        var state = NpgsqlDataSource.Create(options.StateConnectionString is { Length: > 0 } stateConnection ? stateConnection : cluster!.ConnectionString);
        var log = new ChangeLog.ChangeLog(state);
        await log.EnsureSchemaAsync(cancellationToken);

        builder.WebHost.UseUrls(options.Urls);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(log);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient(nameof(FeedRefresh), client => client.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(services => new FeedRefresh(
            options, ssdConnectionString, log, directory, services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(FeedRefresh)), services.GetRequiredService<ILogger<FeedRefresh>>()));
        builder.Services.AddHostedService<RefreshLoop>();
        builder.Services.AddHealthChecks().AddCheck<RefreshCheck>("refresh");

        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            state.Dispose();
            cluster?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        MapEndpoints(app, options, log);
        return app;
    }

    private static StaffDirectory LoadDirectory(string? file)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return StaffDirectory.Empty;
        }

        try
        {
            return StaffDirectory.Load(file);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new OptionsValidationException(SsdFeedOptions.SectionName, typeof(SsdFeedOptions), [$"SsdFeed:Directory:File: {exception.Message}"]);
        }
    }

    private static void MapEndpoints(WebApplication app, SsdFeedOptions options, ChangeLog.ChangeLog log)
    {
        var keys = options.ApiKeys.Values.Select(key => SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToList();
        bool Authorised(HttpRequest request)
        {
            var presented = request.Headers["X-Api-Key"].ToString() is { Length: > 0 } key ? key
                : request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..]
                : null;
            if (presented is null)
            {
                return false;
            }

            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
            return keys.Aggregate(false, (found, key) => CryptographicOperations.FixedTimeEquals(hash, key) | found);
        }

        app.MapGet("/api/v1/children/changes", async (HttpRequest request, string? since, int? limit, CancellationToken cancellationToken) =>
        {
            if (!Authorised(request))
            {
                return Results.Unauthorized();
            }

            if (limit is < 1 or > 1000)
            {
                return Results.Problem("limit must be between 1 and 1000.", statusCode: StatusCodes.Status400BadRequest);
            }

            var (page, problem) = await log.PageAsync(since, limit ?? 200, cancellationToken);
            return problem switch
            {
                CursorProblem.Malformed => Results.Problem("since is not a cursor this feed wrote.", statusCode: StatusCodes.Status400BadRequest),
                CursorProblem.Expired => Results.Problem("The cursor belongs to another log or is past its end; restart without since.", statusCode: StatusCodes.Status410Gone),
                _ => Results.Text(PageJson(page!), "application/json; charset=utf-8"),
            };
        });

        app.MapGet("/api/v1/children/{childId}", async (HttpRequest request, string childId, CancellationToken cancellationToken) =>
            !Authorised(request) ? Results.Unauthorized()
            : await log.LatestAsync(childId, cancellationToken) is { } record ? Results.Text(record, "application/json; charset=utf-8")
            : Results.NotFound());

        app.MapGet("/health/live", () => Results.Text("Healthy"));
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            ResultStatusCodes = { [HealthStatus.Healthy] = 200, [HealthStatus.Degraded] = 200, [HealthStatus.Unhealthy] = 503 },
            ResponseWriter = (context, report) => context.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString(),
                refresh = report.Entries.Values.Select(e => e.Description).FirstOrDefault(),
            }),
        });
    }

    private static string PageJson(LogPage page)
    {
        var json = new StringBuilder("{\"items\":[");
        json.AppendJoin(',', page.Items);
        json.Append("],\"nextCursor\":").Append(page.NextCursor is null ? "null" : System.Text.Json.JsonSerializer.Serialize(page.NextCursor));
        json.Append(",\"hasMore\":").Append(page.HasMore ? "true" : "false").Append('}');
        return json.ToString();
    }
}

/// <summary>Refreshes at start, then every <see cref="SsdFeedOptions.RefreshInterval"/> or at each <see cref="SsdFeedOptions.RefreshCron"/> occurrence.</summary>
internal sealed partial class RefreshLoop(FeedRefresh refresh, SsdFeedOptions options, TimeProvider clock, ILogger<RefreshLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await refresh.RunAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(exception.GetType().Name);
            }

            await Task.Delay(NextDelay(), clock, stoppingToken);
        }
    }

    private TimeSpan NextDelay()
    {
        if (string.IsNullOrWhiteSpace(options.RefreshCron))
        {
            return options.RefreshInterval;
        }

        var now = clock.GetUtcNow();
        var next = Cronos.CronExpression.Parse(options.RefreshCron).GetNextOccurrence(now, TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone));
        return next is { } at ? at - now : options.RefreshInterval;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "SSD refresh stopped with {Error}; the last good state is still served, the next refresh will try again")]
    private partial void LogFailed(string error);
}

/// <summary>Ready when the last refresh served; Degraded while the last was refused or failed (the last good state is served); Unhealthy before any.</summary>
internal sealed class RefreshCheck(ChangeLog.ChangeLog log) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await log.LastRefreshAsync(cancellationToken) switch
        {
            null => HealthCheckResult.Unhealthy("no refresh has finished yet"),
            { Outcome: RefreshRecord.Served } last => HealthCheckResult.Healthy($"served at {last.FinishedAt:u}: {last.Changed} changed of {last.Persons}"),
            var last => HealthCheckResult.Degraded($"{last.Outcome} at {last.FinishedAt:u}: {last.Detail}"),
        };
}
