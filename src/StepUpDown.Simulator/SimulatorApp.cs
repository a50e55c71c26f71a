using System.Globalization;

namespace StepUpDown.Simulator;

/// <summary>Simulator settings (section <c>Simulator</c>).</summary>
public sealed class SimulatorOptions
{
    /// <summary>The key callers send as <c>X-Api-Key</c>.</summary>
    public string ApiKey { get; set; } = "demo-key";

    /// <summary>Where it listens.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:9090";

    /// <summary>The loopback port of the demo's mail relay (the demo launcher's <c>DemoMailbox</c>); 0: none.</summary>
    public int MailboxPort { get; set; }

    /// <summary>Where the demo's mail relay keeps what it receives.</summary>
    public string MailboxDirectory { get; set; } = ".data/demo/outbox";
}

/// <summary>
/// Serves the case feed contract (<c>GET /{system}/api/v1/children/changes</c> and
/// <c>GET /{system}/api/v1/children/{childId}</c>) for two fictional systems, <c>social-care</c> and
/// <c>early-help</c>, from <see cref="ScriptedFamilies"/>: a change is served once its simulated day
/// has come on <paramref name="time"/>, which may run fast (the worker's <c>Clock:Speed</c>).
/// </summary>
public sealed class SimulatorApp(TimeProvider time)
{
    private readonly DateTimeOffset _start = time.GetUtcNow();
    private readonly IReadOnlyList<ScriptedChange> _changes =
        ScriptedFamilies.Changes(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)).OrderBy(c => c.Day).ToList();

    /// <summary>Builds the web app on <paramref name="options"/>' address.</summary>
    public WebApplication Build(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var systems = app.MapGroup("/{system:regex(^(social-care|early-help)$)}/api/v1").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.Headers["X-Api-Key"] == options.ApiKey ? await next(context) : Results.Unauthorized());
        systems.MapGet("/children/changes", (string system, string? since, int? limit) => Changes(system, since, limit ?? 200));
        systems.MapGet("/children/{childId}", (string system, string childId) =>
            Due(system).LastOrDefault(c => Equals(c.Change.Record["childId"], childId)) is { } latest ? Results.Ok(latest.Change.Record) : Results.NotFound());
        return app;
    }

    private IResult Changes(string system, string? since, int limit)
    {
        if (limit is < 1 or > 1000)
        {
            return Results.BadRequest();
        }

        var after = -1;
        if (since is not null && !int.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return Results.BadRequest();
        }

        var due = Due(system).Where(c => c.Index > after).ToList();
        var page = due.Take(limit).ToList();
        var next = page.Count > 0 ? page[^1].Index : after;
        return Results.Ok(new
        {
            items = page.Select(c => c.Change.Record),
            nextCursor = next < 0 ? null : next.ToString(CultureInfo.InvariantCulture),
            hasMore = due.Count > page.Count,
        });
    }

    /// <summary>The system's changes whose simulated day has come, with their position in the script (the cursor).</summary>
    private IEnumerable<(int Index, ScriptedChange Change)> Due(string system)
    {
        var day = (time.GetUtcNow() - _start).TotalDays;
        return _changes.Select((change, index) => (index, change)).Where(c => c.change.System == system && c.change.Day <= day);
    }
}
