using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Npgsql;
using StepUpDown.Simulator;

namespace StepUpDown.Bench;

/// <summary>
/// Issue 12's crash run: a worker process (the real host, in a process of its own) detects a burst
/// of about COUNT notices and starts sending them; once a tenth are sent, with a dispatch batch claimed, it is killed (SIGKILL: no
/// shutdown, no release, no last heartbeat) and a new worker process is started. Prints the time
/// from the restart to the last notice delivered, and from the sink's side the lost, resent
/// (same Message-Id) and duplicated (new Message-Id) counts.
/// </summary>
internal static class CrashBenchmark
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(5);

    public static async Task RunAsync(int notices)
    {
        // Each synthetic step tells two recipients (the GP and the MASSH).
        var steps = notices / 2;
        Console.WriteLine($"StepUpDown crash run: about {notices:N0} notices in flight, kill -9 of the worker, restart; {Environment.ProcessorCount} cores");
        var received = new ConcurrentDictionary<string, int>();
        await using var sink = LoopbackSmtpRelay.Start(0, (message, _) =>
        {
            received.AddOrUpdate(LoopbackSmtpRelay.MessageIdOf(message) ?? "", 1, (_, count) => count + 1);
            return Task.CompletedTask;
        });
        await using var environment = await BenchEnvironment.StartAsync(steps, steps);
        var settings = environment.WorkerSettings(1000, new Dictionary<string, string?>
        {
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = sink.Port.ToString(CultureInfo.InvariantCulture),
            ["Mail:Smtp:Security"] = "None",
            ["CaseFeeds:Sources:social-care:PollCron"] = "* * * * * *",
        });
        await using var database = new NpgsqlConnection(environment.Cluster.ConnectionString);

        using (var doomed = StartWorker(settings))
        {
            await WaitUntilAsync(database, "SELECT count(*) = @steps FROM stepupdown.child_records", new { steps }, "the baseline adopted");
            await environment.ReleaseAsync();
            await WaitUntilAsync(
                database,
                """
                SELECT count(*) >= @notices * 0.8 AND count(*) FILTER (WHERE state = 'sent') >= count(*) / 10
                       AND count(*) FILTER (WHERE state IN ('pending', 'sending') AND claimed_by IS NOT NULL) >= 50
                  FROM stepupdown.notifications
                """,
                new { notices },
                "the burst detected, a tenth of it sent and a batch claimed");
            doomed.Kill(entireProcessTree: true);
            await doomed.WaitForExitAsync();
        }

        var atKill = await database.QuerySingleAsync<(long Total, long Sent, long Sending, long Claimed)>(
            """
            SELECT count(*), count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'sending'),
                   count(*) FILTER (WHERE state IN ('pending', 'sending') AND claimed_by IS NOT NULL)
              FROM stepupdown.notifications
            """);
        Console.WriteLine($"at the kill: {atKill.Total:N0} notices, {atKill.Sent:N0} sent, {atKill.Sending:N0} sending, {atKill.Claimed:N0} undelivered and claimed by the killed worker");

        var restarted = Stopwatch.StartNew();
        using var next = StartWorker(settings);
        await WaitUntilAsync(database, "SELECT count(*) FILTER (WHERE state IN ('pending', 'sending')) = 0 FROM stepupdown.notifications", null, "every notice delivered");
        var lastSentAfter = await database.ExecuteScalarAsync<double>(
            "SELECT extract(epoch FROM max(sent_at) - @restartedAt) FROM stepupdown.notifications",
            new { restartedAt = DateTimeOffset.UtcNow - restarted.Elapsed });
        var ledger = (await database.QueryAsync<string>("SELECT '<' || message_id || '>' FROM stepupdown.notifications WHERE state = 'sent'")).ToHashSet();

        // A message the relay took is counted when it ended with ".": the last may be a moment behind the ledger.
        var settle = Stopwatch.StartNew();
        while (ledger.Any(id => !received.ContainsKey(id)) && settle.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        var lost = ledger.Count(id => !received.ContainsKey(id));
        var resent = received.Where(pair => ledger.Contains(pair.Key)).Sum(pair => pair.Value - 1);
        var newIds = received.Where(pair => !ledger.Contains(pair.Key)).Sum(pair => pair.Value);
        var failed = await database.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state <> 'sent'");
        Console.WriteLine($"restart -> last notice delivered: {lastSentAfter:N1} s (target <= 60 s; the dead worker's claims wait for its lease to lapse, 20 s)");
        Console.WriteLine($"sent {ledger.Count:N0} of {atKill.Total:N0} ({failed} not sent); lost {lost} (target 0); duplicates with a new Message-Id {newIds} (target 0); " +
            $"resent with their own Message-Id {resent} (allowed: a message on the wire at the kill)");
        next.Kill(entireProcessTree: true);
    }

    private static Process StartWorker(Dictionary<string, string?> settings)
    {
        var process = BenchEnvironment.StartSelf(["worker", .. settings.Select(pair => $"--{pair.Key}={pair.Value}")]);
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task WaitUntilAsync(NpgsqlConnection database, string sql, object? parameters, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await database.ExecuteScalarAsync<bool>(sql, parameters))
                {
                    return;
                }
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // The worker has not created its schema yet.
            }

            if (clock.Elapsed > GiveUpAfter)
            {
                throw new TimeoutException($"Not reached within {GiveUpAfter}: {what}.");
            }

            await Task.Delay(50);
        }
    }
}
