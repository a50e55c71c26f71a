using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StepUpDown.Integration.DeliveryEvidence;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Simulator;
using StepUpDown.Worker;

namespace StepUpDown.Bench;

/// <summary>
/// Issue 21's figures, against a real Dovecot: (1) reports read per second from a bounce mailbox
/// holding COUNT reports, one per sent GP notice (target >= 200/s), each recorded as bounced and
/// its MASSH notice added; (2) a report landing in the mailbox -> the MASSH's notice accepted by
/// the relay, at the shipped <c>PollInterval</c> of 15 s (with IDLE), reports landing at 5 a second (target p95 <= 30 s).
/// </summary>
internal static class BounceBenchmark
{
    private const int LatencyReports = 300;
    private const int LatencyReportsPerSecond = 5;

    public static async Task RunAsync(int count)
    {
        Console.WriteLine($"StepUpDown bounce benchmark: {count:N0} reports in the mailbox, then {LatencyReports} landing at {LatencyReportsPerSecond}/s; {Environment.ProcessorCount} cores");
        await ThroughputAsync(count);
        await LatencyAsync();
    }

    private static async Task ThroughputAsync(int count)
    {
        await using var dovecot = await ThrowawayDovecot.StartAsync();
        await using var environment = await BenchEnvironment.StartAsync(count, count);
        await using var relay = LoopbackSmtpRelay.Start(0, (_, _) => Task.CompletedTask);
        await using var worker = await StartWorkerAsync(environment, relay, dovecot, "01:00:00");
        var gpNotices = await StepUpEveryChildAsync(worker, environment);

        var appending = Stopwatch.StartNew();
        await dovecot.AppendAsync(gpNotices.Select((id, i) => (i % 3) switch { 0 => Reports.Postfix(id), 1 => Reports.Exchange(id), _ => Reports.Gmail(id) }));
        Console.WriteLine($"mailbox: {count:N0} reports appended in {appending.Elapsed.TotalSeconds:N1} s (Postfix, Exchange Online and Gmail shapes in turn)");

        var reading = Stopwatch.StartNew();
        var read = await worker.Services.GetRequiredService<BounceMailbox>().ReadAsync(CancellationToken.None);
        var elapsed = reading.Elapsed;
        Console.WriteLine(
            $"throughput: {read.Read:N0} reports read in {elapsed.TotalSeconds:N1} s = {read.Read / elapsed.TotalSeconds:N0} reports/s " +
            $"({read.Bounced:N0} notices bounced, {read.Unmatched:N0} unmatched; target >= 200/s)");
    }

    private static async Task LatencyAsync()
    {
        await using var dovecot = await ThrowawayDovecot.StartAsync();
        await using var environment = await BenchEnvironment.StartAsync(LatencyReports, LatencyReports);
        await using var relay = LoopbackSmtpRelay.Start(0, (_, _) => Task.CompletedTask);
        await using var worker = await StartWorkerAsync(environment, relay, dovecot, "00:00:15");
        var gpNotices = await StepUpEveryChildAsync(worker, environment);

        var landedAt = new Dictionary<Guid, DateTime>();
        var pace = Stopwatch.StartNew();
        for (var k = 0; k < gpNotices.Count; k++)
        {
            landedAt[gpNotices[k]] = DateTime.UtcNow;
            await dovecot.AppendAsync(Reports.Postfix(gpNotices[k]));
            var next = TimeSpan.FromSeconds((k + 1) / (double)LatencyReportsPerSecond) - pace.Elapsed;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next);
            }
        }

        await using var database = new NpgsqlConnection(environment.Cluster.ConnectionString);
        await WaitUntilAsync(database, $"SELECT count(*) >= {gpNotices.Count} FROM stepupdown.notifications WHERE recipient_role = 'massh-undelivered:gp' AND state = 'sent'");
        var told = await database.QueryAsync<(Guid Bounced, DateTime CreatedAt, DateTime SentAt)>(
            """
            SELECT gp.id, told.created_at, told.sent_at FROM stepupdown.notifications gp
              JOIN stepupdown.notifications told ON told.step_id = gp.step_id AND told.recipient_role = 'massh-undelivered:gp'
             WHERE gp.recipient_role = 'gp'
            """);
        var latencies = told.Select(t => (t.SentAt - landedAt[t.Bounced]).TotalSeconds).Order().ToArray();
        Console.WriteLine(
            $"latency (PollInterval 15 s, IDLE where Dovecot offers it): report lands -> MASSH's notice accepted, {latencies.Length} reports: " +
            $"p50 {PathBenchmark.Percentile(latencies, 0.50):N1} s, p95 {PathBenchmark.Percentile(latencies, 0.95):N1} s, max {latencies[^1]:N1} s (target p95 <= 30 s)");

        // Which half the time goes to: the mailbox (report lands -> read, MASSH's notice added) or the dispatch (added -> accepted).
        var read = told.Select(t => (t.CreatedAt - landedAt[t.Bounced]).TotalSeconds).Order().ToArray();
        var dispatched = told.Select(t => (t.SentAt - t.CreatedAt).TotalSeconds).Order().ToArray();
        Console.WriteLine(
            $"  of which: lands -> read p50 {PathBenchmark.Percentile(read, 0.50):N1} s, p95 {PathBenchmark.Percentile(read, 0.95):N1} s, max {read[^1]:N1} s; " +
            $"read -> accepted p50 {PathBenchmark.Percentile(dispatched, 0.50):N1} s, p95 {PathBenchmark.Percentile(dispatched, 0.95):N1} s, max {dispatched[^1]:N1} s");
    }

    private static async Task<StepUpDownApp> StartWorkerAsync(BenchEnvironment environment, LoopbackSmtpRelay relay, ThrowawayDovecot dovecot, string pollInterval)
    {
        var worker = await StepUpDownHost.CreateAsync([], environment.WorkerSettings(1000, new Dictionary<string, string?>
        {
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = relay.Port.ToString(CultureInfo.InvariantCulture),
            ["Mail:Smtp:Security"] = "None",
            ["Mail:Bounces:Imap:Host"] = "127.0.0.1",
            ["Mail:Bounces:Imap:Port"] = dovecot.Port.ToString(CultureInfo.InvariantCulture),
            ["Mail:Bounces:Imap:Security"] = "None",
            ["Mail:Bounces:Imap:UserName"] = ThrowawayDovecot.UserName,
            ["Mail:Bounces:Imap:Password"] = ThrowawayDovecot.Password,
            ["Mail:Bounces:Imap:PollInterval"] = pollInterval,
        }));
        await worker.StartAsync();
        return worker;
    }

    /// <summary>Adopts every child, steps each up, waits until every notice is sent; the GP notices' ids.</summary>
    private static async Task<List<Guid>> StepUpEveryChildAsync(StepUpDownApp worker, BenchEnvironment environment)
    {
        await BenchEnvironment.TimePollAsync(worker);
        await environment.ReleaseAsync();
        await BenchEnvironment.TimePollAsync(worker);
        await using var database = new NpgsqlConnection(environment.Cluster.ConnectionString);
        await WaitUntilAsync(database, "SELECT count(*) = 0 FROM stepupdown.notifications WHERE state IN ('pending', 'sending')");
        return (await database.QueryAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp' AND state = 'sent' ORDER BY id")).AsList();
    }

    private static async Task WaitUntilAsync(NpgsqlConnection database, string condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await database.ExecuteScalarAsync<bool>(condition))
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(15))
            {
                throw new TimeoutException($"Timed out waiting until {condition}");
            }

            await Task.Delay(200);
        }
    }
}
