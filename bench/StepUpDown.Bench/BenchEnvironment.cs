using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Integration.Storage;
using StepUpDown.Worker;

namespace StepUpDown.Bench;

/// <summary>What every benchmark runs on: a private PostgreSQL cluster and the synthetic feed in its own process.</summary>
internal sealed class BenchEnvironment : IAsyncDisposable
{
    private readonly string _root;
    private readonly Process _feed;

    private BenchEnvironment(string root, Process feed, string feedUrl, EmbeddedPostgres cluster)
    {
        _root = root;
        _feed = feed;
        FeedUrl = feedUrl;
        Cluster = cluster;
    }

    public string FeedUrl { get; }

    public EmbeddedPostgres Cluster { get; }

    public string Root => _root;

    public static async Task<BenchEnvironment> StartAsync(int children, int changes, Poison poison = Poison.None)
    {
        var root = Directory.CreateTempSubdirectory("sud-bench-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // The cluster may run as the postgres user: it must be able to reach its folder.
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        }

        var feed = StartFeed(children, changes, poison, out var feedUrl);
        var cluster = await EmbeddedPostgres.StartAsync(
            new EmbeddedPostgresOptions { DataDirectory = Path.Combine(root, "pg") }, NullLogger.Instance, CancellationToken.None);
        return new BenchEnvironment(root, feed, feedUrl, cluster);
    }

    /// <summary>The worker's settings for this environment; <paramref name="extra"/> is applied last.</summary>
    public Dictionary<string, string?> WorkerSettings(int pageSize, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:StepUpDown"] = Cluster.ConnectionString,
            ["Urls"] = "http://127.0.0.1:0",
            ["Mail:OutboxDirectory"] = Path.Combine(_root, "outbox"),
            ["Mail:UseOutbox"] = "true", // detection only: the notifications run sets its SMTP sink
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["CaseFeeds:Sources:social-care:BaseUrl"] = FeedUrl,
            ["CaseFeeds:Sources:social-care:ApiKey"] = "bench",
            ["CaseFeeds:Sources:social-care:PollCron"] = "0 0 1 1 *",
            ["Handovers:SweepCron"] = "0 0 1 1 *", // the synthetic step downs are unplanned: no ladder in these figures
            ["CaseFeeds:Sources:social-care:PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
            ["CaseFeeds:Sources:social-care:LevelCodes:EH"] = "early-help",
            ["CaseFeeds:Sources:social-care:LevelCodes:CIN"] = "child-in-need",
            ["CaseFeeds:Sources:social-care:LevelCodes:CP"] = "child-protection",
            ["CaseFeeds:Sources:social-care:LevelCodes:LAC"] = "looked-after",
        };
        if (Environment.GetEnvironmentVariable("BENCH_WORKERS") is { } workers)
        {
            settings["Jobs:WorkerCount"] = workers; // else the shipped default
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Makes the next <paramref name="count"/> change events visible (all when null).</summary>
    public async Task ReleaseAsync(int? count = null)
    {
        using var http = new HttpClient();
        var query = count is null ? "" : $"?count={count}";
        (await http.PostAsync(new Uri(new Uri(FeedUrl), $"bench/release{query}"), null)).EnsureSuccessStatusCode();
    }

    /// <summary>How many pages the feed has served.</summary>
    public async Task<long> FeedRequestsAsync()
    {
        using var http = new HttpClient();
        return long.Parse(await http.GetStringAsync(new Uri(new Uri(FeedUrl), "bench/requests")), CultureInfo.InvariantCulture);
    }

    public static async Task<(TimeSpan Elapsed, PollResult Result)> TimePollAsync(StepUpDownApp worker)
    {
        await using var scope = worker.Services.CreateAsyncScope();
        var poller = scope.ServiceProvider.GetRequiredService<CaseFeedPoller>();
        var clock = Stopwatch.StartNew();
        var result = await poller.PollAsync("social-care", CancellationToken.None);
        return (clock.Elapsed, result);
    }

    public async ValueTask DisposeAsync()
    {
        _feed.Kill(entireProcessTree: true);
        _feed.Dispose();
        NpgsqlConnection.ClearAllPools();
        await Cluster.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Starts this program again in another mode (the feed, the SMTP sink) as its own process.</summary>
    public static Process StartSelf(params string[] arguments)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(SyntheticChildren).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static Process StartFeed(int children, int changes, Poison poison, out string url)
    {
        var process = StartSelf("feed", children.ToString(CultureInfo.InvariantCulture), changes.ToString(CultureInfo.InvariantCulture), poison.ToString());
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The feed process did not start.");
        url = line["LISTENING ".Length..] + "/";
        return process;
    }
}
