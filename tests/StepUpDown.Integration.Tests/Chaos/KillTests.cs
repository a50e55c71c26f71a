using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Chaos;

/// <summary>
/// kill -9 of a worker process in the middle of a burst: a restarted worker (or a live peer)
/// delivers every notice the dead one held within a minute, each once, with its own Message-Id.
/// The killed worker is the real published program in a process of its own.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class KillTests(PostgresFixture postgres, MailDevFixture mail, Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const int Children = 20;
    private readonly FeedServer _feed = new();

    [Theory]
    [InlineData(false)] // a worker started after the kill
    [InlineData(true)] // a peer already running beside it, which must leave the live worker's claims alone
    public async Task KilledMidBurst_TheNextWorkerDeliversEveryNoticeWithinAMinute_EachOnceWithItsMessageId(bool livePeer)
    {
        await mail.ClearAsync();
        var database = await postgres.CreateDatabaseAsync();
        _feed.ServePage(null, "c1", Enumerable.Range(1, Children).Select(i => (object)Fixtures.Children.Record($"SC-{i}", "EH", 1, nhsNumber: Fixtures.Children.NhsNumberFor(i))).ToArray());
        _feed.ServePage("c1", "c2", Enumerable.Range(1, Children).Select(i => (object)Fixtures.Children.Record($"SC-{i}", "CP", 2, nhsNumber: Fixtures.Children.NhsNumberFor(i))).ToArray());
        _feed.ServePage("c2", "c2");

        // The first worker polls every second and sends through a relay that takes the message and never answers.
        using var hangingRelay = new HangingRelay();
        var logPath = Path.Combine(Path.GetTempPath(), $"sud-killed-{Guid.NewGuid():N}.txt");
        var settings = WorkerHarness.Settings(database, _feed.Url, mail, logPath);
        settings["Mail:Smtp:Port"] = hangingRelay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Mail:Smtp:Timeout"] = "00:05:00";
        settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:PollCron"] = "* * * * * *";
        using var doomed = WorkerProcess.Start(settings);
        var ledger = new LedgerProbe(database);
        await ledger.WaitUntilAsync(
            "the burst is claimed by the first worker, and some of it is being sent",
            "SELECT count(*) FILTER (WHERE claimed_by IS NOT NULL) = @total AND count(*) FILTER (WHERE state = 'sending') > 0 FROM stepupdown.notifications",
            TimeSpan.FromSeconds(90));

        var peer = livePeer ? await WorkerHarness.StartAsync(database, _feed.Url, mail) : null;
        if (peer is not null)
        {
            // The peer's own dispatch has run and found nothing it may take: the live worker holds it all.
            await peer.InScopeAsync<StepUpDown.Integration.Notifications.DispatchNotificationsJob, bool>(async job =>
            {
                await job.ExecuteAsync(CancellationToken.None);
                return true;
            });
            (await peer.QueryScalarAsync<long>("SELECT count(*) FILTER (WHERE state = 'sent') + count(DISTINCT claimed_by) - 1 FROM stepupdown.notifications"))
                .ShouldBe(0, "the live worker's claims are its own: the peer sent and took nothing");
        }

        doomed.Kill();
        var killedAt = Stopwatch.StartNew();
        await using var next = peer ?? await WorkerHarness.StartAsync(database, _feed.Url, mail);
        await ledger.WaitUntilAsync(
            "every notice is sent", "SELECT count(*) FILTER (WHERE state = 'sent') = @total FROM stepupdown.notifications", TimeSpan.FromSeconds(90));
        var tookOver = killedAt.Elapsed;

        output.WriteLine($"Every notice sent {tookOver.TotalSeconds:N1} s after the kill ({(livePeer ? "a live peer" : "a restarted worker")}).");
        tookOver.ShouldBeLessThan(TimeSpan.FromSeconds(60), "take-over within a minute of the kill");
        var sentIds = (await next.QueryAsync<string>("SELECT message_id FROM stepupdown.notifications")).Select(id => $"<{id}>").ToArray();

        // Once the worker has stopped nothing more can be sent, and the sink stores a message before
        // it accepts it: what it holds now is everything delivered, late duplicates included.
        await next.StopAndReadLogAsync();
        var received = await mail.GetMessagesAsync();
        received.Select(m => m.Header("message-id")).ShouldBe(
            sentIds, ignoreOrder: true, $"each notice once, with the ledger's own Message-Id; received {string.Join(" ", received.Select(m => $"{m.Header("message-id")}:{m.To[0].Address}"))}");
        File.Delete(logPath);
    }

    public void Dispose() => _feed.Dispose();

    /// <summary>The worker program run as its own process (as it is deployed), to be killed.</summary>
    private sealed class WorkerProcess : IDisposable
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
    private sealed class LedgerProbe(string connectionString)
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
                        if (await Dapper.SqlMapper.ExecuteScalarAsync<bool?>(connection, sql, new { total = 2 * Children }) == true)
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

    /// <summary>An SMTP relay that takes every message's data and never says whether it accepted it.</summary>
    private sealed class HangingRelay : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

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
                                await Task.Delay(Timeout.Infinite, _stop.Token); // never says 250
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
}
