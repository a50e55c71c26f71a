using System.Diagnostics;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Worker;

namespace StepUpDown.Bench;

/// <summary>Issue 3's figures: first adoption, changed records/s, peak working set, raw COPY ceiling.</summary>
internal static class DetectionBenchmark
{
    public static async Task RunAsync(int children, int changes, int pageSize)
    {
        Console.WriteLine($"StepUpDown detection benchmark: {children:N0} children, then {changes:N0} changes, pages of {pageSize}; {Environment.ProcessorCount} cores");
        await using var environment = await BenchEnvironment.StartAsync(children, changes);

        // Measure detection only: no delivery jobs compete for the cores.
        await using var worker = await StepUpDownHost.CreateAsync([], environment.WorkerSettings(pageSize, new Dictionary<string, string?> { ["Jobs:RunServer"] = "false" }));
        await worker.StartAsync();

        var baseline = await BenchEnvironment.TimePollAsync(worker);
        Report("first adoption (baseline)", children, baseline.Elapsed, baseline.Result, "target <= 60 s");
        await environment.ReleaseAsync();
        var changed = await BenchEnvironment.TimePollAsync(worker);
        Report("changes producing steps", changes, changed.Elapsed, changed.Result, "target >= 2,000 records/s");

        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        Console.WriteLine($"peak working set of the worker process: {peak:N0} MB (target <= 300 MB)");

        var raw = await RawCeilingAsync(environment.Cluster.SuperuserConnectionString, children, changes);
        Console.WriteLine($"raw ceiling (COPY of the same rows into an identical table, no HTTP, no detection): " +
            $"baseline {raw.Baseline.TotalSeconds:N1} s ({children / raw.Baseline.TotalSeconds:N0} records/s), " +
            $"changes {raw.Changes.TotalSeconds:N1} s ({changes / raw.Changes.TotalSeconds:N0} records/s)");
        Console.WriteLine($"product/raw throughput: baseline {raw.Baseline / baseline.Elapsed:P0}, changes {raw.Changes / changed.Elapsed:P0}");
    }

    /// <summary>
    /// Issue 12's figure: changed records/s with one record in a hundred poisoned, against the
    /// clean rate, on four fresh environments (clean, poison refused before storage, poison only
    /// the database refuses, the odd shapes of issue 19).
    /// </summary>
    public static async Task RunPoisonAsync(int children, int changes)
    {
        Console.WriteLine($"StepUpDown poison benchmark: {children:N0} children, then {changes:N0} changes with 1 % poison, pages of 1,000; {Environment.ProcessorCount} cores");
        double? clean = null;
        foreach (var poison in new[] { Poison.None, Poison.Caught, Poison.Refused, Poison.Mutated })
        {
            await using var environment = await BenchEnvironment.StartAsync(children, changes, poison);
            await using var worker = await StepUpDownHost.CreateAsync([], environment.WorkerSettings(1000, new Dictionary<string, string?> { ["Jobs:RunServer"] = "false" }));
            await worker.StartAsync();
            await BenchEnvironment.TimePollAsync(worker);
            if (poison == Poison.Refused)
            {
                await RefuseInTheDatabaseAsync(environment.Cluster.SuperuserConnectionString);
            }

            await environment.ReleaseAsync();
            var changed = await BenchEnvironment.TimePollAsync(worker);
            var rate = changed.Result.Records / changed.Elapsed.TotalSeconds;
            clean ??= rate;
            Report($"changes, poison {poison}", changes, changed.Elapsed, changed.Result, $"{rate / clean.Value:P0} of the clean rate; target >= 80 %");
        }
    }

    /// <summary>A database rule no validation knows of: the poison's names cannot be stored.</summary>
    private static async Task RefuseInTheDatabaseAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(
            $$"""
            CREATE FUNCTION bench_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.record -> 'name' ->> 'given' LIKE '{{SyntheticChildren.RefusedPrefix}}%' THEN
                RAISE EXCEPTION 'refused' USING ERRCODE = '22023';
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER bench_refuse BEFORE INSERT OR UPDATE ON stepupdown.child_records FOR EACH ROW EXECUTE FUNCTION bench_refuse();
            """);
    }

    private static void Report(string phase, int expected, TimeSpan elapsed, PollResult result, string target) =>
        Console.WriteLine($"{phase}: {result.Records:N0} records (expected {expected:N0}) in {elapsed.TotalSeconds:N1} s = " +
            $"{result.Records / elapsed.TotalSeconds:N0} records/s, {result.Pages} pages, {result.Steps:N0} steps, " +
            $"{result.Quarantined} quarantined ({target})");

    private static async Task<(TimeSpan Baseline, TimeSpan Changes)> RawCeilingAsync(string connectionString, int children, int changes)
    {
        var synthetic = new SyntheticChildren(children, changes);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var baseline = await CopyAsync(connection, synthetic, 0, children, "raw_baseline");
        var changed = await CopyAsync(connection, synthetic, children, synthetic.Total, "raw_changes");
        return (baseline, changed);
    }

    private static async Task<TimeSpan> CopyAsync(NpgsqlConnection connection, SyntheticChildren synthetic, int from, int to, string table)
    {
        await connection.ExecuteAsync($"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (LIKE stepupdown.child_records INCLUDING ALL);");
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
