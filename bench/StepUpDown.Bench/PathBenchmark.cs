using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StepUpDown.Worker;

namespace StepUpDown.Bench;

/// <summary>
/// Issue 22's figures: the whole path, a change appended to the synthetic feed → SMTP accepted at
/// the sink, at 50 changes/s with the source (a) polled every minute, (b) polled every 5 s, (c)
/// nudged on every change; then what idle polling costs: 10 sources polled every 5 s, CPU of the
/// worker and of PostgreSQL, and the database's work per poll.
/// </summary>
internal static class PathBenchmark
{
    private const int ChangesPerSecond = 50;
    private const int Sources = 10;

    public static async Task RunAsync(int seconds)
    {
        Console.WriteLine($"StepUpDown change -> inbox benchmark: {ChangesPerSecond} changes/s for {seconds} s per row; {Environment.ProcessorCount} cores");
        await PathAsync("(a) polled every minute (PollCron * * * * *, schedule polling 15 s: as shipped)", seconds, nudge: false, new()
        {
            ["CaseFeeds:Sources:social-care:PollCron"] = "* * * * *",
        });
        await PathAsync("(b) polled every 5 s (PollCron */5 * * * * *, schedule polling 1 s)", seconds, nudge: false, new()
        {
            ["CaseFeeds:Sources:social-care:PollCron"] = "*/5 * * * * *",
            ["Jobs:SchedulePollingInterval"] = "00:00:01",
        });
        await PathAsync("(b') polled every 5 s in the instance (PollInterval 00:00:05, PollCron every minute)", seconds, nudge: false, new()
        {
            ["CaseFeeds:Sources:social-care:PollCron"] = "* * * * *",
            ["CaseFeeds:Sources:social-care:PollInterval"] = "00:00:05",
        });
        await PathAsync("(c) nudged on every change (PollCron every minute as the safety net)", seconds, nudge: true, new()
        {
            ["CaseFeeds:Sources:social-care:PollCron"] = "* * * * *",
        });
        var window = TimeSpan.FromSeconds(60);
        await IdleAsync("idle, nothing polled more often than yearly (the fixed cost)", window, "0 0 1 1 *", null, scheduleEverySecond: false);
        await IdleAsync("idle, PollCron */5 * * * * * (a Hangfire job per poll)", window, "*/5 * * * * *", null, scheduleEverySecond: true);
        await IdleAsync("idle, PollInterval 00:00:05 (in the instance; PollCron every minute)", window, "* * * * *", "00:00:05", scheduleEverySecond: false);
    }

    private static async Task PathAsync(string row, int seconds, bool nudge, Dictionary<string, string?> settings)
    {
        // As many children as changes: change k is of child k, so a notice's child names its change.
        var changes = ChangesPerSecond * seconds;
        using var sink = NotificationBenchmark.Sink.Start();
        await using var environment = await BenchEnvironment.StartAsync(changes, changes);
        settings["Mail:Smtp:Host"] = "127.0.0.1";
        settings["Mail:Smtp:Port"] = sink.SmtpPort.ToString(CultureInfo.InvariantCulture);
        settings["Mail:Smtp:Security"] = "None";
        await using var worker = await StepUpDownHost.CreateAsync([], environment.WorkerSettings(1000, settings));
        await worker.StartAsync();
        await using var database = new NpgsqlConnection(environment.Cluster.ConnectionString);
        await AdoptAsync(worker, database);

        using var http = new HttpClient { BaseAddress = BaseAddress(worker) };
        http.DefaultRequestHeaders.Add("X-Api-Key", "bench");
        var releasedAt = new DateTime[changes];
        var pace = Stopwatch.StartNew();
        for (var k = 0; k < changes; k++)
        {
            releasedAt[k] = DateTime.UtcNow;
            await environment.ReleaseAsync(1);
            if (nudge)
            {
                (await http.PostAsync("/api/v1/sources/social-care/nudge", null)).EnsureSuccessStatusCode();
            }

            var next = TimeSpan.FromSeconds((k + 1) / (double)ChangesPerSecond) - pace.Elapsed;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next);
            }
        }

        var released = pace.Elapsed;
        await WaitForDeliveryAsync(database, changes);
        var latencies = (await database.QueryAsync<(string ChildId, DateTime SentAt)>(
                "SELECT s.child_id, n.sent_at FROM stepupdown.notifications n JOIN stepupdown.steps s ON s.id = n.step_id WHERE n.state = 'sent'"))
            .Select(n => (n.SentAt - releasedAt[int.Parse(n.ChildId[3..], CultureInfo.InvariantCulture)]).TotalMilliseconds)
            .Order()
            .ToArray();
        Console.WriteLine(
            $"{row}: {changes:N0} changes released over {released.TotalSeconds:N1} s, {latencies.Length:N0} notices; change -> SMTP accepted " +
            $"p50 {Percentile(latencies, 0.50):N0} ms, p95 {Percentile(latencies, 0.95):N0} ms, p99 {Percentile(latencies, 0.99):N0} ms, max {latencies[^1]:N0} ms");
    }

    /// <summary>
    /// 10 sources of 100 children each, polled by <paramref name="cron"/> and
    /// <paramref name="interval"/> and finding nothing: the CPU of this process (the worker; the bench itself
    /// only waits) and of every PostgreSQL process over <paramref name="window"/>, and the
    /// database's transactions and rows written per poll (Hangfire's bookkeeping included).
    /// </summary>
    private static async Task IdleAsync(string row, TimeSpan window, string cron, string? interval, bool scheduleEverySecond)
    {
        await using var environment = await BenchEnvironment.StartAsync(100, 0);
        var settings = new Dictionary<string, string?>();
        if (scheduleEverySecond)
        {
            settings["Jobs:SchedulePollingInterval"] = "00:00:01";
        }

        foreach (var i in Enumerable.Range(1, Sources))
        {
            var name = i == 1 ? "social-care" : $"source-{i:D2}";
            var source = $"CaseFeeds:Sources:{name}";
            settings[$"{source}:BaseUrl"] = environment.FeedUrl;
            settings[$"{source}:ApiKey"] = "bench";
            settings[$"{source}:PollCron"] = cron;
            settings[$"{source}:PollInterval"] = interval;
            foreach (var (code, level) in new[] { ("EH", "early-help"), ("CIN", "child-in-need"), ("CP", "child-protection"), ("LAC", "looked-after") })
            {
                settings[$"{source}:LevelCodes:{code}"] = level;
            }
        }

        await using var worker = await StepUpDownHost.CreateAsync([], environment.WorkerSettings(1000, settings));
        await worker.StartAsync();
        foreach (var name in worker.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StepUpDown.Integration.CaseFeeds.CaseFeedOptions>>().Value.Sources.Keys)
        {
            await using var scope = worker.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<StepUpDown.Integration.CaseFeeds.CaseFeedPoller>().PollAsync(name, TimeSpan.FromMinutes(1), CancellationToken.None);
        }

        await using var database = new NpgsqlConnection(environment.Cluster.ConnectionString);
        await Task.Delay(TimeSpan.FromSeconds(10)); // past start-up's one-off work
        var (workerBefore, postgresBefore, polledBefore, statsBefore) = (Process.GetCurrentProcess().TotalProcessorTime, PostgresCpu(), await environment.FeedRequestsAsync(), await StatsAsync(database));
        await Task.Delay(window);
        var (workerAfter, postgresAfter, polledAfter, statsAfter) = (Process.GetCurrentProcess().TotalProcessorTime, PostgresCpu(), await environment.FeedRequestsAsync(), await StatsAsync(database));

        var polls = polledAfter - polledBefore;
        var workerShare = (workerAfter - workerBefore) / window;
        var postgresShare = (postgresAfter - postgresBefore) / window;
        var perPoll = polls == 0 ? "" :
            $"; per poll, the fixed cost included: {(workerAfter - workerBefore + postgresAfter - postgresBefore).TotalMilliseconds / polls:N1} ms CPU, " +
            $"{(double)(statsAfter.Commits - statsBefore.Commits) / polls:N1} transactions, {(double)(statsAfter.Written - statsBefore.Written) / polls:N1} rows written " +
            $"({(double)(statsAfter.OursWritten - statsBefore.OursWritten) / polls:N2} in the worker's own tables)";
        Console.WriteLine(
            $"{row}: {Sources} sources, {polls} polls finding nothing in {window.TotalSeconds:N0} s; CPU worker {workerShare:P1} + PostgreSQL {postgresShare:P1} " +
            $"= {workerShare + postgresShare:P1} of one core; {statsAfter.Commits - statsBefore.Commits:N0} transactions{perPoll}");
    }

    private sealed record DatabaseStats(long Commits, long Written, long OursWritten);

    private static async Task<DatabaseStats> StatsAsync(NpgsqlConnection database)
    {
        // Statistics are flushed by each backend at most once a second: let the last ones land.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await database.ExecuteAsync("SELECT pg_stat_clear_snapshot()");
        return await database.QuerySingleAsync<DatabaseStats>(
            """
            SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS Commits,
                   (SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = current_database()) AS Written,
                   (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint FROM pg_stat_user_tables WHERE schemaname = 'stepupdown') AS OursWritten
            """);
    }

    /// <summary>The CPU time of every process named postgres (the benchmark's cluster is the only one running).</summary>
    private static TimeSpan PostgresCpu()
    {
        var ticks = 0L;
        foreach (var stat in Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "stat")))
        {
            try
            {
                var text = File.ReadAllText(stat);
                var name = text[(text.IndexOf('(', StringComparison.Ordinal) + 1)..text.LastIndexOf(')')];
                if (name == "postgres")
                {
                    var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                // A process that ended while being read, or not a process folder.
            }
        }

        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
    }

    /// <summary>Reads the baseline, by whichever poll gets the source first, before any change is released.</summary>
    private static async Task AdoptAsync(StepUpDownApp worker, NpgsqlConnection database)
    {
        while (!await database.ExecuteScalarAsync<bool>("SELECT coalesce((SELECT baseline_completed FROM stepupdown.source_cursors WHERE source = 'social-care'), false)"))
        {
            await BenchEnvironment.TimePollAsync(worker);
        }
    }

    private static async Task WaitForDeliveryAsync(NpgsqlConnection database, int changes)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            var (steps, open) = await database.QuerySingleAsync<(long, long)>(
                "SELECT (SELECT count(*) FROM stepupdown.steps), (SELECT count(*) FROM stepupdown.notifications WHERE state IN ('pending', 'sending'))");
            if (steps >= changes && open == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        Console.WriteLine("  (not every change was delivered within 5 minutes of the last release: the figures below are of those that were)");
    }

    internal static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static Uri BaseAddress(StepUpDownApp worker) =>
        new(worker.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
