using System.Globalization;
using System.Text.Json;

namespace StepUpDown.Bench;

/// <summary>
/// The synthetic case feed, run in its own process so that its memory and CPU are not counted
/// as the worker's. Serves the contract's <c>getChildChanges</c> with the event index as cursor;
/// <c>POST /bench/release[?count=N]</c> makes (the next N) change events visible after the baseline;
/// <c>GET /bench/requests</c> says how many pages it has served.
/// </summary>
internal static class FeedServer
{
    public static async Task RunAsync(int children, int changes, Poison poison)
    {
        var synthetic = new SyntheticChildren(children, changes, poison);
        var available = children;
        var requests = 0L;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();

        app.MapGet("/api/v1/children/changes", async (HttpContext context, string? since, int? limit) =>
        {
            Interlocked.Increment(ref requests);
            var from = since is null ? 0 : int.Parse(since, CultureInfo.InvariantCulture);
            var to = Math.Min(from + (limit ?? 200), Volatile.Read(ref available));
            context.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
            json.WriteStartObject();
            json.WriteStartArray("items");
            for (var i = from; i < to; i++)
            {
                synthetic.WriteRecord(json, i);
            }

            json.WriteEndArray();
            json.WriteString("nextCursor", to.ToString(CultureInfo.InvariantCulture));
            json.WriteBoolean("hasMore", to < Volatile.Read(ref available));
            json.WriteEndObject();
            await json.FlushAsync();
        });
        app.MapPost("/bench/release", (int? count) =>
            Volatile.Write(ref available, count is null ? synthetic.Total : Math.Min(synthetic.Total, Volatile.Read(ref available) + count.Value)));
        app.MapGet("/bench/requests", () => Interlocked.Read(ref requests));

        await app.StartAsync();
        Console.WriteLine($"LISTENING {app.Urls.First()}");
        await app.WaitForShutdownAsync();
    }
}
