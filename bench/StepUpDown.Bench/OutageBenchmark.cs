using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Npgsql;
using StepUpDown.Simulator;
using StepUpDown.Worker;

namespace StepUpDown.Bench;

/// <summary>
/// The relay away, then back. <see cref="RunAsync"/> is issue 19's figure: with NOTICES notices
/// waiting for the relay after an outage (tried, or waiting untried), the time from the relay
/// answering again to the last of them accepted (target &lt;= 60 s: the design's "what waited goes
/// out within a minute, not at the next backoff step"). <see cref="RunLoginsRefusedAsync"/> is
/// issue 30's: a relay that answers but refuses every login for MINUTES (its directory down), then
/// takes them; how often it was asked while refusing (target: at most one login per 15 s, however
/// many notices wait) and the time from logins working to the last notice accepted (&lt;= 60 s).
/// </summary>
internal static class OutageBenchmark
{
    public static async Task RunAsync(int notices)
    {
        var steps = notices / 2; // a step up tells the GP and the MASSH
        Console.WriteLine($"StepUpDown relay-outage benchmark: {steps:N0} step ups ({steps * 2:N0} notices) while the relay is down; {Environment.ProcessorCount} cores");
        var port = FreePort();
        await using var stage = await Stage.StartAsync(steps, port, []);

        var waitingFor = Stopwatch.StartNew();
        while (await stage.Database.ExecuteScalarAsync<long>(
                   "SELECT count(*) FROM stepupdown.notifications WHERE state = 'pending' AND failure_kind IS NULL") > 0)
        {
            await Task.Delay(200);
        }

        var waiting = await stage.Database.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'pending'");
        Console.WriteLine($"outage: {waiting:N0} notices waiting for the relay (tried, or untried) after {waitingFor.Elapsed.TotalSeconds:N1} s");
        var accepted = 0;
        var backAt = DateTimeOffset.UtcNow;
        await using var relay = LoopbackSmtpRelay.Start(port, (_, _) =>
        {
            Interlocked.Increment(ref accepted);
            return Task.CompletedTask;
        });
        await stage.ReportAllOutAsync("relay back", backAt, () => Volatile.Read(ref accepted));
    }

    public static async Task RunLoginsRefusedAsync(int notices, int minutes)
    {
        var steps = notices / 2;
        Console.WriteLine(
            $"StepUpDown refused-logins benchmark: {steps:N0} step ups ({steps * 2:N0} notices) while the relay refuses every login for {minutes} min; {Environment.ProcessorCount} cores");
        var refusing = true;
        var refused = new ConcurrentQueue<TimeSpan>();
        var accepted = 0;
        var clock = Stopwatch.StartNew();
        await using var relay = LoopbackSmtpRelay.Start(
            0,
            (_, _) =>
            {
                Interlocked.Increment(ref accepted);
                return Task.CompletedTask;
            },
            refusesLogin: () =>
            {
                var refuses = Volatile.Read(ref refusing);
                if (refuses)
                {
                    refused.Enqueue(clock.Elapsed);
                }

                return refuses;
            });
        await using var stage = await Stage.StartAsync(steps, relay.Port, new()
        {
            ["Mail:Smtp:UserName"] = "stepupdown-service",
            ["Mail:Smtp:Password"] = "service account password",
        });

        await Task.Delay(TimeSpan.FromMinutes(minutes));
        var logins = refused.ToArray();
        var gaps = logins.Zip(logins.Skip(1), (earlier, later) => later - earlier).ToList();
        var attempts = await stage.Database.ExecuteScalarAsync<long>("SELECT COALESCE(sum(attempts), 0) FROM stepupdown.notifications");
        var waiting = await stage.Database.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'pending'");
        Console.WriteLine(
            $"refusing: {logins.Length:N0} refused logins in {minutes * 60:N0} s, the closest two {(gaps.Count == 0 ? "-" : gaps.Min().TotalSeconds.ToString("N1", CultureInfo.InvariantCulture))} s apart " +
            $"(target: at most one per 15 s); {attempts:N0} attempts counted for {waiting:N0} waiting notices");

        var loginsWorkAt = DateTimeOffset.UtcNow;
        Volatile.Write(ref refusing, false);
        await stage.ReportAllOutAsync("logins work", loginsWorkAt, () => Volatile.Read(ref accepted));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A worker that sends to a relay on <c>port</c>, with its step ups released and polled: their notices wait for the relay.</summary>
    private sealed class Stage(BenchEnvironment environment, StepUpDownApp worker, NpgsqlConnection database) : IAsyncDisposable
    {
        public NpgsqlConnection Database => database;

        public static async Task<Stage> StartAsync(int steps, int port, Dictionary<string, string?> settings)
        {
            var environment = await BenchEnvironment.StartAsync(steps, steps);
            settings["Mail:Smtp:Host"] = "127.0.0.1";
            settings["Mail:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture);
            settings["Mail:Smtp:Security"] = "None";
            var worker = await StepUpDownHost.CreateAsync([], environment.WorkerSettings(1000, settings));
            await worker.StartAsync();
            await BenchEnvironment.TimePollAsync(worker);
            await environment.ReleaseAsync();
            await BenchEnvironment.TimePollAsync(worker);
            return new Stage(environment, worker, new NpgsqlConnection(environment.Cluster.ConnectionString));
        }

        /// <summary>Waits (up to ten minutes) until every notice is sent, then prints how long after <paramref name="since"/> the last was accepted.</summary>
        public async Task ReportAllOutAsync(string what, DateTimeOffset since, Func<int> accepted)
        {
            var waiting = Stopwatch.StartNew();
            while (await database.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state <> 'sent'") > 0 && waiting.Elapsed < TimeSpan.FromMinutes(10))
            {
                await Task.Delay(100);
            }

            var last = await database.ExecuteScalarAsync<DateTime>("SELECT max(sent_at) FROM stepupdown.notifications");
            Console.WriteLine(
                $"{what} -> last waiting notice accepted: {(new DateTimeOffset(last, TimeSpan.Zero) - since).TotalSeconds:N1} s " +
                $"(all {await database.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'sent'"):N0} sent, {accepted():N0} accepted by the relay; target <= 60 s)");
        }

        public async ValueTask DisposeAsync()
        {
            await database.DisposeAsync();
            await worker.DisposeAsync();
            await environment.DisposeAsync();
        }
    }
}
