using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StepUpDown.Integration.Tests.Chaos;

/// <summary>The chaos tests' burst: CHILDREN children adopted at early help, then each stepped up (two notices each).</summary>
internal static class Burst
{
    public static void Serve(Fixtures.FeedServer feed, int children)
    {
        feed.ServePage(null, "c1", Enumerable.Range(1, children).Select(i => (object)Fixtures.Children.Record($"SC-{i}", "EH", 1, nhsNumber: Fixtures.Children.NhsNumberFor(i))).ToArray());
        feed.ServePage("c1", "c2", Enumerable.Range(1, children).Select(i => (object)Fixtures.Children.Record($"SC-{i}", "CP", 2, nhsNumber: Fixtures.Children.NhsNumberFor(i))).ToArray());
        feed.ServePage("c2", "c2");
    }

    /// <summary>A worker process's settings: polling every second, sending through <paramref name="relay"/> with a patient timeout.</summary>
    public static Dictionary<string, string?> SendingThrough(HangingRelay relay, string database, Fixtures.FeedServer feed, Fixtures.MailDevFixture mail, string logPath)
    {
        var settings = Fixtures.WorkerHarness.Settings(database, feed.Url, mail, logPath);
        settings["Mail:Smtp:Port"] = relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Mail:Smtp:Timeout"] = "00:05:00";
        settings[$"CaseFeeds:Sources:{Fixtures.WorkerHarness.Source}:PollCron"] = "* * * * * *";
        return settings;
    }
}

/// <summary>The worker program run as its own process (as it is deployed), to be killed.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public static WorkerProcess Start(Dictionary<string, string?> settings)
    {
        // tests/StepUpDown.Integration.Tests/bin/CONFIGURATION/net10.0 → src/StepUpDown.Worker/bin/CONFIGURATION/net10.0
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var folder = Path.Combine(here.Parent!.Parent!.Parent!.Parent!.Parent!.FullName, "src", "StepUpDown.Worker", "bin", here.Parent.Name, here.Name);
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(folder, "StepUpDown.Worker.dll"));
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process);
    }

    /// <summary>SIGSTOP, as a VM pause or a long GC pause stops an instance: no heartbeat, no progress, nothing released.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>SIGCONT: the paused instance goes on from where it was.</summary>
    public void Resume() => Signal("CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        kill.ExitCode.ShouldBe(0);
    }

    /// <summary>SIGKILL: no shutdown, no releases, no last heartbeat.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }
}

/// <summary>Polls the ledger until a condition holds.</summary>
internal sealed class LedgerProbe(string connectionString, int total)
{
    public async Task WaitUntilAsync(string what, string sql, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
            {
                try
                {
                    if (await Dapper.SqlMapper.ExecuteScalarAsync<bool?>(connection, sql, new { total }) == true)
                    {
                        return;
                    }
                }
                catch (Npgsql.PostgresException exception) when (exception.SqlState == "42P01")
                {
                    // The worker has not created its tables yet.
                }
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(200);
        }
    }
}

/// <summary>
/// An SMTP relay that takes every message's data and does not say whether it accepted it: never,
/// or, once <see cref="DeferAll"/> is called, with a 451 (try later) to every message it holds.
/// </summary>
internal sealed class HangingRelay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _defer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;
    private int _deferred;

    /// <summary>Messages whose data it has taken and not answered.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Messages answered 451 after <see cref="DeferAll"/>.</summary>
    public int Deferred => Volatile.Read(ref _deferred);

    /// <summary>From now on answers every message held, and every later one, with 451.</summary>
    public void DeferAll() => _defer.TrySetResult();

    public HangingRelay()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                _ = ServeAsync(await _listener.AcceptTcpClientAsync(_stop.Token));
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 hanging.test ESMTP");
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    switch (line.Split(' ')[0].ToUpperInvariant())
                    {
                        case "EHLO" or "HELO":
                            await writer.WriteLineAsync("250 hanging.test");
                            break;
                        case "DATA":
                            await writer.WriteLineAsync("354 go ahead");
                            while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                            {
                            }

                            Interlocked.Increment(ref _held);
                            await _defer.Task.WaitAsync(_stop.Token); // never says 250
                            Interlocked.Decrement(ref _held);
                            await writer.WriteLineAsync("451 4.3.0 try again later");
                            Interlocked.Increment(ref _deferred);
                            break;
                        default:
                            await writer.WriteLineAsync("250 OK");
                            break;
                    }
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // The worker was killed, or the test is over.
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
