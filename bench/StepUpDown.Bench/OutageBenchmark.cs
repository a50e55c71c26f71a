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
/// Issue 19's figure: with NOTICES notices waiting for the relay after an outage (tried, or waiting untried),
/// the time from the relay answering again to the last of them accepted (target <= 60 s: the
/// design's "what waited goes out within a minute, not at the next backoff step").
/// </summary>
internal static class OutageBenchmark
{
    public static async Task RunAsync(int notices)
    {
        var steps = notices / 2; // a step up tells the GP and the MASSH
        Console.WriteLine($"StepUpDown relay-outage benchmark: {steps:N0} step ups ({steps * 2:N0} notices) while the relay is down; {Environment.ProcessorCount} cores");
        var port = FreePort();
        await using var environment = await BenchEnvironment.StartAsync(steps, steps);
        await using var worker = await StepUpDownHost.CreateAsync([], environment.WorkerSettings(1000, new Dictionary<string, string?>
        {
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Mail:Smtp:Security"] = "None",
        }));
        await worker.StartAsync();
        await BenchEnvironment.TimePollAsync(worker);
        await using var database = new NpgsqlConnection(environment.Cluster.ConnectionString);
        await environment.ReleaseAsync();
        await BenchEnvironment.TimePollAsync(worker);

        var waitingFor = Stopwatch.StartNew();
        while (await database.ExecuteScalarAsync<long>(
                   "SELECT count(*) FROM stepupdown.notifications WHERE state = 'pending' AND failure_kind IS NULL") > 0)
        {
            await Task.Delay(200);
        }

        var waiting = await database.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'pending'");

        Console.WriteLine($"outage: {waiting:N0} notices waiting for the relay (tried, or untried) after {waitingFor.Elapsed.TotalSeconds:N1} s");
        var accepted = 0;
        var back = Stopwatch.StartNew();
        var backAt = DateTimeOffset.UtcNow;
        await using var relay = LoopbackSmtpRelay.Start(port, (_, _) =>
        {
            Interlocked.Increment(ref accepted);
            return Task.CompletedTask;
        });
        while (await database.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state <> 'sent'") > 0 && back.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(100);
        }

        var last = await database.ExecuteScalarAsync<DateTime>("SELECT max(sent_at) FROM stepupdown.notifications");
        Console.WriteLine(
            $"relay back -> last waiting notice accepted: {(new DateTimeOffset(last, TimeSpan.Zero) - backAt).TotalSeconds:N1} s " +
            $"(all {await database.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'sent'"):N0} sent, {Volatile.Read(ref accepted):N0} accepted by the relay; target <= 60 s)");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
