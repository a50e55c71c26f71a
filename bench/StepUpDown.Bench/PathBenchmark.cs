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
        await PathAsync("(c) nudged on every change (PollCron every minute as the safety net)", seconds, nudge: true, new()
        {
            ["CaseFeeds:Sources:social-care:PollCron"] = "* * * * *",
        });
        await IdleAsync(TimeSpan.FromSeconds(60));
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
    /// 10 sources of 100 children each, polled every 5 s and finding nothing: the CPU of this
    /// process (the worker; the bench itself only waits) and of every PostgreSQL process over
    /// <paramref name="window"/>, and the database's transactions and rows written per poll
    /// (Hangfire's job bookkeeping included).
    /// </summary>
    private static async Task IdleAsync(TimeSpan window)
    {
        await using var environment = await BenchEnvironment.StartAsync(100, 0);
        var settings = new Dictionary<string, string?>
        {
            ["Jobs:SchedulePollingInterval"] = "00:00:01",
            ["CaseFeeds:Sources:social-care:PollCron"] = "*/5 * * * * *",
        };
        foreach (var i in Enumerable.Range(2, Sources - 1))
        {
            var source = $"CaseFeeds:Sources:source-{i:D2}";
            settings[$"{source}:BaseUrl"] = environment.FeedUrl;
            settings[$"{source}:ApiKey"] = "bench";
            settings[$"{source}:PollCron"] = "*/5 * * * * *";
            foreach (var (code, level) in new[] { ("EH", "early-help"), ("CIN", "child-in-need"), ("CP", "child-protection"), ("LAC", "looked-after") })
            {
                settings[$"{source}:LevelCodes:{code}"] = level;
            }
        }

        await using var worker = await StepUpDownHost.CreateAsync([], environment.WorkerSettings(1000, settings));
        await worker.StartAsync();
        await using var database = new NpgsqlConnection(environment.Cluster.ConnectionString);
        var settle = Stopwatch.StartNew();
        while (await database.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.source_cursors WHERE baseline_completed") < Sources && settle.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(200);
        }

        await Task.Delay(TimeSpan.FromSeconds(10)); // past start-up's one-off work
        var (workerBefore, postgresBefore, polledBefore, statsBefore) = (Process.GetCurrentProcess().TotalProcessorTime, PostgresCpu(), await environment.FeedRequestsAsync(), await StatsAsync(database));
        await Task.Delay(window);
        var (workerAfter, postgresAfter, polledAfter, statsAfter) = (Process.GetCurrentProcess().TotalProcessorTime, PostgresCpu(), await environment.FeedRequestsAsync(), await StatsAsync(database));

        var polls = polledAfter - polledBefore;
        var workerShare = (workerAfter - workerBefore) / window;
        var postgresShare = (postgresAfter - postgresBefore) / window;
        Console.WriteLine(
            $"idle: {Sources} sources polled every 5 s, {polls} polls finding nothing in {window.TotalSeconds:N0} s: CPU worker {workerShare:P1} + PostgreSQL {postgresShare:P1} " +
            $"= {workerShare + postgresShare:P1} of one core (target <= 5 %); per poll {(workerAfter - workerBefore + postgresAfter - postgresBefore).TotalMilliseconds / Math.Max(1, polls):N1} ms CPU, " +
            $"{(double)(statsAfter.Commits - statsBefore.Commits) / Math.Max(1, polls):N1} transactions and {(double)(statsAfter.Written - statsBefore.Written) / Math.Max(1, polls):N1} rows written " +
            $"(the worker's tables: {(double)(statsAfter.OursWritten - statsBefore.OursWritten) / Math.Max(1, polls):N2}) in the database, the rest of the worker's idle work included");
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

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static Uri BaseAddress(StepUpDownApp worker) =>
        new(worker.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
