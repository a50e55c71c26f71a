using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using StepUpDown.Bench;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Integration.Storage;
using StepUpDown.Worker;

// Usage: dotnet run -c Release --project bench/StepUpDown.Bench [-- CHILDREN CHANGES PAGE_SIZE]
if (args is ["feed", var feedChildren, var feedChanges])
{
    await FeedServer.RunAsync(int.Parse(feedChildren, CultureInfo.InvariantCulture), int.Parse(feedChanges, CultureInfo.InvariantCulture));
    return;
}

var children = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var changes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
var pageSize = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
Console.WriteLine($"StepUpDown detection benchmark: {children:N0} children, then {changes:N0} changes, pages of {pageSize}; {Environment.ProcessorCount} cores");

var root = Directory.CreateTempSubdirectory("sud-bench-").FullName;
if (!OperatingSystem.IsWindows())
{
    // The cluster may run as the postgres user: it must be able to reach its folder.
    File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
}
using var feed = StartFeed(children, changes, out var feedUrl);
var cluster = await EmbeddedPostgres.StartAsync(
    new EmbeddedPostgresOptions { DataDirectory = Path.Combine(root, "pg") }, NullLogger.Instance, CancellationToken.None);

try
{
    var settings = new Dictionary<string, string?>
    {
        ["ConnectionStrings:StepUpDown"] = cluster.ConnectionString,
        ["Urls"] = "http://127.0.0.1:0",
        ["Jobs:RunServer"] = "false", // measure detection only: no delivery jobs compete for the two cores
        ["Mail:OutboxDirectory"] = Path.Combine(root, "outbox"),
        ["Serilog:MinimumLevel:Default"] = "Warning",
        ["CaseFeeds:Sources:social-care:BaseUrl"] = feedUrl,
        ["CaseFeeds:Sources:social-care:ApiKey"] = "bench",
        ["CaseFeeds:Sources:social-care:PollCron"] = "0 0 1 1 *",
        ["CaseFeeds:Sources:social-care:PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
        ["CaseFeeds:Sources:social-care:LevelCodes:EH"] = "early-help",
        ["CaseFeeds:Sources:social-care:LevelCodes:CIN"] = "child-in-need",
        ["CaseFeeds:Sources:social-care:LevelCodes:CP"] = "child-protection",
        ["CaseFeeds:Sources:social-care:LevelCodes:LAC"] = "looked-after",
    };
    await using var worker = await StepUpDownHost.CreateAsync([], settings);
    await worker.StartAsync();

    var baseline = await TimePollAsync(worker);
    Report("first adoption (baseline)", children, baseline.Elapsed, baseline.Result, "target <= 60 s");

    using (var http = new HttpClient())
    {
        (await http.PostAsync(new Uri(new Uri(feedUrl), "bench/release"), null)).EnsureSuccessStatusCode();
    }

    var changed = await TimePollAsync(worker);
    Report("changes producing steps", changes, changed.Elapsed, changed.Result, "target >= 2,000 records/s");

    var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    Console.WriteLine($"peak working set of the worker process: {peak:N0} MB (target <= 300 MB)");

    var raw = await RawCeilingAsync(cluster.ConnectionString, children, changes);
    Console.WriteLine($"raw ceiling (COPY of the same rows into an identical table, no HTTP, no detection): " +
        $"baseline {raw.Baseline.TotalSeconds:N1} s ({children / raw.Baseline.TotalSeconds:N0} records/s), " +
        $"changes {raw.Changes.TotalSeconds:N1} s ({changes / raw.Changes.TotalSeconds:N0} records/s)");
    Console.WriteLine($"product/raw throughput: baseline {raw.Baseline / baseline.Elapsed:P0}, changes {raw.Changes / changed.Elapsed:P0}");
}
finally
{
    feed.Kill(entireProcessTree: true);
    NpgsqlConnection.ClearAllPools();
    await cluster.DisposeAsync();
    Directory.Delete(root, recursive: true);
}

static async Task<(TimeSpan Elapsed, PollResult Result)> TimePollAsync(StepUpDownApp worker)
{
    await using var scope = worker.Services.CreateAsyncScope();
    var poller = scope.ServiceProvider.GetRequiredService<CaseFeedPoller>();
    var clock = Stopwatch.StartNew();
    var result = await poller.PollAsync("social-care", CancellationToken.None);
    return (clock.Elapsed, result);
}

static void Report(string phase, int expected, TimeSpan elapsed, PollResult result, string target) =>
    Console.WriteLine($"{phase}: {result.Records:N0} records (expected {expected:N0}) in {elapsed.TotalSeconds:N1} s = " +
        $"{result.Records / elapsed.TotalSeconds:N0} records/s, {result.Pages} pages, {result.Steps:N0} steps, " +
        $"{result.Quarantined} quarantined ({target})");

static Process StartFeed(int children, int changes, out string url)
{
    var self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        start.ArgumentList.Add(typeof(SyntheticChildren).Assembly.Location);
    }

    foreach (var argument in new[] { "feed", children.ToString(CultureInfo.InvariantCulture), changes.ToString(CultureInfo.InvariantCulture) })
    {
        start.ArgumentList.Add(argument);
    }

    var process = Process.Start(start)!;
    var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The feed process did not start.");
    url = line["LISTENING ".Length..] + "/";
    return process;
}

static async Task<(TimeSpan Baseline, TimeSpan Changes)> RawCeilingAsync(string connectionString, int children, int changes)
{
    var synthetic = new SyntheticChildren(children, changes);
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await connection.ExecuteAsync(
        """
        DROP TABLE IF EXISTS raw_child_records;
        CREATE TABLE raw_child_records (LIKE stepupdown.child_records INCLUDING ALL);
        """);
    var baseline = await CopyAsync(connection, synthetic, 0, children);
    var changed = await CopyAsync(connection, synthetic, children, synthetic.Total, table: "raw_changes");
    return (baseline, changed);

    static async Task<TimeSpan> CopyAsync(NpgsqlConnection connection, SyntheticChildren synthetic, int from, int to, string table = "raw_child_records")
    {
        if (table != "raw_child_records")
        {
            await connection.ExecuteAsync($"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (LIKE stepupdown.child_records INCLUDING ALL);");
        }

        var clock = Stopwatch.StartNew();
        await using (var writer = await connection.BeginBinaryImportAsync(
            $"COPY {table} (source, child_id, version, level_code, nhs_number, record, stored_at) FROM STDIN (FORMAT BINARY)"))
        {
            var now = DateTimeOffset.UtcNow;
            for (var i = from; i < to; i++)
            {
                var (child, version, code) = synthetic.Event(i);
                await writer.StartRowAsync();
                await writer.WriteAsync("social-care", NpgsqlDbType.Text);
                await writer.WriteAsync(SyntheticChildren.ChildId(child), NpgsqlDbType.Text);
                await writer.WriteAsync((long)version, NpgsqlDbType.Bigint);
                await writer.WriteAsync(code, NpgsqlDbType.Text);
                await writer.WriteAsync(SyntheticChildren.NhsNumberFor(child), NpgsqlDbType.Text);
                await writer.WriteAsync(synthetic.RecordJson(i), NpgsqlDbType.Jsonb);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync();
        }

        return clock.Elapsed;
    }
}
