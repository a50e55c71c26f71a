using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StepUpDown.Integration.Storage;
using StepUpDown.SsdFeed;
using StepUpDown.SsdFeed.ChangeLog;
using StepUpDown.SsdFeed.Demo;
using StepUpDown.SsdFeed.Reading;

namespace StepUpDown.Bench;

/// <summary>
/// Issue 31's figures: a county's SSD (PERSONS persons with six years of episodes, written straight
/// into the dataset's tables in a private PostgreSQL) refreshed by the SSD feed: the first refresh
/// (every person appended), an unchanged one (nothing appended), and one after 1 % of persons
/// changed. Target: ≤ 60 s and ≤ 500 MB on 2 cores.
/// </summary>
internal static class SsdRefreshBenchmark
{
    public static async Task RunAsync(int persons)
    {
        Console.WriteLine($"StepUpDown SSD feed refresh benchmark: {persons:N0} persons, six years of episodes, {Environment.ProcessorCount} cores");
        var root = Directory.CreateTempSubdirectory("sud-ssd-bench-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        }

        await using var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = Path.Combine(root, "pg") }, NullLogger.Instance, CancellationToken.None);
        var seeding = Stopwatch.StartNew();
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            await connection.ExecuteAsync(SsdTables.Create("ssd"));
            await connection.ExecuteAsync(Seed, new { persons }, commandTimeout: 0);
            var rows = await connection.QuerySingleAsync<(long Episodes, long Involvements)>(
                """
                SELECT (SELECT count(*) FROM ssd.ssd_early_help_episodes) + (SELECT count(*) FROM ssd.ssd_cin_episodes) + (SELECT count(*) FROM ssd.ssd_cin_plans)
                     + (SELECT count(*) FROM ssd.ssd_cp_plans) + (SELECT count(*) FROM ssd.ssd_cla_episodes),
                       (SELECT count(*) FROM ssd.ssd_involvements)
                """);
            Console.WriteLine($"seeded in {seeding.Elapsed.TotalSeconds:N1} s: {rows.Episodes:N0} episodes, {rows.Involvements:N0} involvements");
        }

        var options = new SsdFeedOptions { ConnectionString = cluster.ConnectionString, ApiKeys = { ["bench"] = "bench-key-0000000000" }, MaxClosingShare = 1 };
        await using var state = NpgsqlDataSource.Create(cluster.ConnectionString);
        var log = new ChangeLog(state);
        await log.EnsureSchemaAsync(CancellationToken.None);
        using var nudge = new HttpClient();
        using var refresh = new FeedRefresh(options, cluster.ConnectionString, log, StaffDirectory.Empty, TimeProvider.System, nudge, NullLogger<FeedRefresh>.Instance);

        await MeasureAsync("first refresh (every person appended)", refresh);
        await MeasureAsync("unchanged refresh", refresh);
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            await connection.ExecuteAsync(
                "INSERT INTO ssd.ssd_cin_episodes SELECT 'NEW-' || n, 'P-' || n, CURRENT_DATE - 1, NULL, NULL, 'N', 'T-1', 'W-1' FROM generate_series(1, @count) n",
                new { count = persons / 100 });
        }

        await MeasureAsync("refresh after 1 % changed", refresh);
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            var size = await connection.QuerySingleAsync<(long Changes, string Size)>(
                "SELECT count(*), pg_size_pretty(pg_total_relation_size('ssdfeed.changes')) FROM ssdfeed.changes");
            Console.WriteLine($"change log: {size.Changes:N0} records, {size.Size}");
        }

        Console.WriteLine($"peak working set of the feed's process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024:N0} MB");
        Directory.Delete(root, recursive: true);
    }

    private static async Task MeasureAsync(string what, FeedRefresh refresh)
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        var result = await refresh.RunAsync(CancellationToken.None);
        Console.WriteLine($"{what}: {clock.Elapsed.TotalSeconds:N1} s, {result.Outcome}, {result.Persons:N0} persons, {result.Changed:N0} appended, "
            + $"{(GC.GetTotalAllocatedBytes() - allocated) / 1024 / 1024:N0} MB allocated, {GC.GetTotalMemory(false) / 1024 / 1024:N0} MB held after");
    }

    /// <summary>
    /// Every person has an early help episode (two in three closed); half have had a CIN referral,
    /// a third of those a CIN plan, a tenth a CP plan with reviews, one in forty a CLA episode; two
    /// involvements each; dates spread over six years.
    /// </summary>
    private const string Seed = """
        INSERT INTO ssd.ssd_department SELECT 'T-' || n, 'Team ' || n, NULL, NULL FROM generate_series(1, 40) n;
        INSERT INTO ssd.ssd_professionals SELECT 'W-' || n, 'S-' || n, 'Worker ' || n, 'Social worker', NULL FROM generate_series(1, 2000) n;
        INSERT INTO ssd.ssd_person SELECT 'P-' || n, 'Forename' || n, 'Surname' || n, date '2008-01-01' + (n % 6000),
            CASE WHEN n % 3 = 0 THEN '9434765919' END, NULL, NULL FROM generate_series(1, @persons) n;
        INSERT INTO ssd.ssd_early_help_episodes SELECT 'E-' || n, 'P-' || n, CURRENT_DATE - (n % 2190), CASE WHEN n % 3 > 0 THEN CURRENT_DATE - (n % 2190) + 200 END,
            'reason', CASE WHEN n % 3 > 0 THEN 'Needs met' END, 'T-' || (n % 40), 'W-' || (n % 2000) FROM generate_series(1, @persons) n;
        INSERT INTO ssd.ssd_cin_episodes SELECT 'R-' || n, 'P-' || n, CURRENT_DATE - (n % 2190) - 300, CASE WHEN n % 4 > 0 THEN CURRENT_DATE - (n % 2190) - 10 END,
            CASE WHEN n % 4 > 0 THEN 'RC' || (1 + n % 9) END, CASE WHEN n % 7 = 0 THEN 'Y' ELSE 'N' END, 'T-' || (n % 40), 'W-' || (n % 2000)
            FROM generate_series(2, @persons, 2) n;
        INSERT INTO ssd.ssd_cin_plans SELECT 'CP-' || n, 'R-' || n, 'P-' || n, CURRENT_DATE - (n % 2190) - 280, CASE WHEN n % 4 > 0 THEN CURRENT_DATE - (n % 2190) - 20 END,
            'T-' || (n % 40), 'W-' || (n % 2000) FROM generate_series(6, @persons, 6) n;
        INSERT INTO ssd.ssd_cp_plans SELECT 'CPP-' || n, 'R-' || n, 'P-' || n, CURRENT_DATE - (n % 2190) - 250, CASE WHEN n % 4 > 0 THEN CURRENT_DATE - (n % 2190) - 30 END,
            'Neglect', 'Neglect' FROM generate_series(10, @persons, 10) n;
        INSERT INTO ssd.ssd_cp_reviews SELECT 'REV-' || n || '-' || k, 'P-' || n, 'CPP-' || n, CURRENT_DATE - (n % 2190) - 250 + 90 * k, NULL
            FROM generate_series(10, @persons, 10) n, generate_series(1, 3) k;
        INSERT INTO ssd.ssd_cla_episodes SELECT 'CLA-' || n, 'P-' || n, CURRENT_DATE - (n % 2190) - 200, 'S', CASE WHEN n % 2 > 0 THEN CURRENT_DATE - 5 END, NULL, 'R-' || n
            FROM generate_series(40, @persons, 40) n;
        INSERT INTO ssd.ssd_involvements SELECT 'I-' || n || '-' || k, 'W-' || ((n + k) % 2000), 'SW', 'T-' || (n % 40), 'P-' || n,
            CURRENT_DATE - (n % 2190) - 300, NULL, CASE WHEN k = 1 AND n % 2 = 0 THEN 'R-' || n END
            FROM generate_series(1, @persons) n, generate_series(1, 2) k;
        ANALYZE;
        """;
}
