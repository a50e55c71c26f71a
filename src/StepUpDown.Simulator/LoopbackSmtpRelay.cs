using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StepUpDown.Simulator;

/// <summary>
/// A council's mail relay, simulated: a minimal SMTP server on the loopback interface that
/// accepts every message and hands it, whole and with SMTP's dot-stuffing undone, to a callback
/// before it answers 250. The worker sends to it exactly as it would to a real relay. The demo
/// keeps each message as a file; the benchmarks count them.
/// </summary>
public sealed class LoopbackSmtpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string, CancellationToken, Task> _accepted;
    private readonly Func<bool>? _refusesLogin;
    private readonly CancellationTokenSource _stopping = new();
    private Task _accepting = Task.CompletedTask;

    private LoopbackSmtpRelay(int port, Func<string, CancellationToken, Task> accepted, Func<bool>? refusesLogin)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _accepted = accepted;
        _refusesLogin = refusesLogin;
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Starts listening.</summary>
    /// <param name="port">The loopback port; 0 for a free one (see <see cref="Port"/>).</param>
    /// <param name="accepted">Hears each message that ended with its lone "." (one cut off mid-way is not accepted).</param>
    /// <param name="refusesLogin">
    /// When given, the relay asks for a login (AUTH PLAIN) and asks this at each one: true refuses
    /// it (535), as a relay whose directory is down. When null, no login is asked for.
    /// </param>
    public static LoopbackSmtpRelay Start(int port, Func<string, CancellationToken, Task> accepted, Func<bool>? refusesLogin = null)
    {
        var relay = new LoopbackSmtpRelay(port, accepted, refusesLogin);
        relay._listener.Start();
        relay._accepting = relay.AcceptAsync(relay._stopping.Token);
        return relay;
    }

    /// <summary>A message's <c>Message-Id</c> header as written (angle brackets and all); null when it has none.</summary>
    public static string? MessageIdOf(string message) =>
        message.Split("\r\n")
            .TakeWhile(line => line.Length > 0)
            .FirstOrDefault(header => header.StartsWith("Message-Id:", StringComparison.OrdinalIgnoreCase))?
            .Split(':', 2)[1].Trim();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped while waiting for the next connection.
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(cancellationToken);
            _ = ServeAsync(client, cancellationToken);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            client.NoDelay = true; // no Nagle: each reply goes out at once, as a real relay's does
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.Latin1);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 loopback-relay ESMTP");
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    switch (line.Split(' ')[0].ToUpperInvariant())
                    {
                        case "EHLO" or "HELO":
                            // What real relays advertise: MailKit pipelines MAIL/RCPT/DATA when it may.
                            await writer.WriteLineAsync("250-loopback-relay");
                            await writer.WriteLineAsync("250-PIPELINING");
                            if (_refusesLogin is not null)
                            {
                                await writer.WriteLineAsync("250-AUTH PLAIN");
                            }

                            await writer.WriteLineAsync("250 8BITMIME");
                            break;
                        case "AUTH" when _refusesLogin is not null:
                            if (line.Split(' ').Length < 3)
                            {
                                // No initial response: ask for the credentials, and take them as given.
                                await writer.WriteLineAsync("334 ");
                                await reader.ReadLineAsync(cancellationToken);
                            }

                            await writer.WriteLineAsync(_refusesLogin() ? "535 5.7.8 Authentication credentials invalid" : "235 2.7.0 Authentication successful");
                            break;
                        case "DATA":
                            await writer.WriteLineAsync("354 go ahead");
                            if (await ReadDataAsync(reader, cancellationToken) is { } message)
                            {
                                await _accepted(message, cancellationToken);
                                await writer.WriteLineAsync("250 2.0.0 accepted");
                            }

                            break;
                        case "QUIT":
                            await writer.WriteLineAsync("221 bye");
                            return;
                        default:
                            await writer.WriteLineAsync("250 OK");
                            break;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The sender went away (or was killed mid-conversation), or the relay is stopping.
            }
        }
    }

    /// <summary>The message up to the lone "." with dot-stuffing undone; null when the connection ended first.</summary>
    private static async Task<string?> ReadDataAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var message = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line == ".")
            {
                return message.ToString();
            }

            message.Append(line.StartsWith("..", StringComparison.Ordinal) ? line[1..] : line).Append("\r\n");
        }

        return null;
    }
}
