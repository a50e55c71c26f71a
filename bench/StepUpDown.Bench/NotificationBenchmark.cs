using StepUpDown.Integration.Mail;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Hangfire;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Npgsql;
using StepUpDown.Worker;

namespace StepUpDown.Bench;

/// <summary>
/// Issue 4's figures: notifications through Hangfire.PostgreSql and MailKit to a local SMTP sink
/// (an accept-everything SMTP server in its own process), emails/s and step-recorded → SMTP-accepted latency, in bulk and at a steady 50 steps/s;
/// beside it the raw ceiling (no-op Hangfire jobs, then raw MailKit sends over one connection).
/// </summary>
internal static class NotificationBenchmark
{
    private const int PacedSteps = 1000; // 50 steps/s for 20 s

    public static async Task RunAsync(int notifications)
    {
        // About 2.25 notices per step: a step up tells the GP and the MASSH, an unplanned step down too.
        var bulkSteps = notifications * 4 / 9;
        var children = bulkSteps + PacedSteps;
        Console.WriteLine($"StepUpDown notification benchmark: about {notifications:N0} notifications in bulk, then {PacedSteps:N0} steps at 50/s; {Environment.ProcessorCount} cores");
        using var sink = Sink.Start();
        await using var environment = await BenchEnvironment.StartAsync(children, bulkSteps + PacedSteps);
        await using var worker = await StepUpDownHost.CreateAsync([], environment.WorkerSettings(1000, new Dictionary<string, string?>
        {
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = sink.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Mail:Smtp:Security"] = "None",
        }));
        await worker.StartAsync();
        await BenchEnvironment.TimePollAsync(worker);
        await using var database = new NpgsqlConnection(environment.Cluster.ConnectionString);

        await environment.ReleaseAsync(bulkSteps);
        var clock = Stopwatch.StartNew();
        await BenchEnvironment.TimePollAsync(worker);
        var bulk = await WaitForDeliveryAsync(database);
        var bulkElapsed = clock.Elapsed;
        Console.WriteLine($"bulk: {bulk:N0} notifications delivered in {bulkElapsed.TotalSeconds:N1} s = {bulk / bulkElapsed.TotalSeconds:N0} emails/s");
        await ReportLatencyAsync(database, "bulk", DateTimeOffset.MinValue);

        var pacedFrom = DateTimeOffset.UtcNow;
        var pace = Stopwatch.StartNew();
        for (var tick = 0; tick < PacedSteps / 10; tick++)
        {
            await environment.ReleaseAsync(10);
            await BenchEnvironment.TimePollAsync(worker);
            var next = TimeSpan.FromMilliseconds(200 * (tick + 1)) - pace.Elapsed;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next);
            }
        }

        await WaitForDeliveryAsync(database);
        Console.WriteLine($"paced: {PacedSteps:N0} steps released at 50/s over {pace.Elapsed.TotalSeconds:N1} s");
        await ReportLatencyAsync(database, "paced (target p95 <= 250 ms)", pacedFrom);

        var noOp = await NoOpJobsAsync(worker, bulk);
        var smtp = await RawSendsAsync(sink.SmtpPort, bulk);
        var ceiling = bulk / (noOp + smtp).TotalSeconds;
        Console.WriteLine($"raw ceiling: {bulk:N0} no-op Hangfire jobs in {noOp.TotalSeconds:N1} s + {bulk:N0} raw MailKit sends over one connection in {smtp.TotalSeconds:N1} s = {ceiling:N0} emails/s");
        Console.WriteLine($"product/raw: {bulk / bulkElapsed.TotalSeconds / ceiling:P0} (target >= 70 %; above 100 % because the product runs one Hangfire job per page, not per email: bench/README.md)");
    }

    private static async Task<long> WaitForDeliveryAsync(NpgsqlConnection database)
    {
        while (true)
        {
            var (pending, done) = await database.QuerySingleAsync<(long, long)>(
                "SELECT count(*) FILTER (WHERE state IN ('pending', 'sending')), count(*) FILTER (WHERE state NOT IN ('pending', 'sending')) FROM stepupdown.notifications");
            if (pending == 0)
            {
                return done;
            }

            await Task.Delay(50);
        }
    }

    private static async Task ReportLatencyAsync(NpgsqlConnection database, string phase, DateTimeOffset from)
    {
        var (p50, p95, p99, failed) = await database.QuerySingleAsync<(double, double, double, long)>(
            """
            SELECT percentile_cont(0.50) WITHIN GROUP (ORDER BY ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY ms),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY ms),
                   (SELECT count(*) FROM stepupdown.notifications WHERE state = 'failed')
              FROM (SELECT extract(epoch FROM n.sent_at - s.detected_at) * 1000 AS ms
                      FROM stepupdown.notifications n JOIN stepupdown.steps s ON s.id = n.step_id
                     WHERE n.state = 'sent' AND s.detected_at >= @from) latencies
            """,
            new { from });
        Console.WriteLine($"{phase}: step recorded -> SMTP accepted p50 {p50:N0} ms, p95 {p95:N0} ms, p99 {p99:N0} ms ({failed} failed in all)");
    }

    private static async Task<TimeSpan> NoOpJobsAsync(StepUpDownApp worker, long count)
    {
        var jobs = worker.Services.GetRequiredService<IBackgroundJobClient>();
        var before = NoOp.Runs;
        var clock = Stopwatch.StartNew();
        // Enqueued from four tasks, as the product's dispatch jobs do in parallel (one enqueuer alone is the bottleneck).
        await Parallel.ForAsync(0L, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, (_, _) =>
        {
            jobs.Enqueue(() => NoOp.Run());
            return ValueTask.CompletedTask;
        });

        while (NoOp.Runs < before + count)
        {
            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    private static async Task<TimeSpan> RawSendsAsync(int port, long count)
    {
        using var client = new SmtpClient();
        await SmtpMailTransport.ConnectAsync(client, "127.0.0.1", port, SecureSocketOptions.None, TimeSpan.FromSeconds(10), CancellationToken.None);
        var body = string.Concat(Enumerable.Repeat("A fictional notice of a step, about the size of a real one. ", 40));
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var message = new MimeMessage { Subject = $"raw {i}" };
            message.From.Add(MailboxAddress.Parse("bench@council.example"));
            message.To.Add(MailboxAddress.Parse("gp@nhs.example"));
            message.Body = new BodyBuilder { TextBody = body, HtmlBody = $"<pre>{body}</pre>" }.ToMessageBody();
            await client.SendAsync(message);
        }

        var elapsed = clock.Elapsed;
        await client.DisconnectAsync(quit: true);
        return elapsed;
    }

    /// <summary>The accept-everything SMTP relay (the simulator's <c>LoopbackSmtpRelay</c>) in its own process, so the figures measure the worker, not the sink.</summary>
    internal sealed class Sink : IDisposable
    {
        private readonly Process _process;

        private Sink(Process process, int smtpPort)
        {
            _process = process;
            SmtpPort = smtpPort;
        }

        public int SmtpPort { get; }

        public static Sink Start()
        {
            var process = BenchEnvironment.StartSelf("sink");
            var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The SMTP sink did not start.");
            return new Sink(process, int.Parse(line["LISTENING ".Length..], CultureInfo.InvariantCulture));
        }

        public void Dispose()
        {
            _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}

/// <summary>The no-op job of the raw ceiling.</summary>
public static class NoOp
{
    private static long _runs;

    /// <summary>How many have run in this process.</summary>
    public static long Runs => Interlocked.Read(ref _runs);

    /// <summary>Does nothing but count itself (counting in memory keeps the measurement off the database).</summary>
    public static void Run() => Interlocked.Increment(ref _runs);
}
