using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>
/// An SMTP server that speaks the protocol, for what maildev cannot show: <see cref="Rejecting"/>
/// refuses every recipient with 550, as a relay does for a mailbox that does not exist;
/// <see cref="AcceptingWithDsn"/> offers DSN (RFC 3461, which maildev hides) and keeps the
/// envelope commands it was given. A relay that refuses logins is the simulator's
/// <c>LoopbackSmtpRelay</c> given a login gate.
/// </summary>
public sealed class ScriptedSmtpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _accept;
    private readonly string _greeting = "220 scripted.test ESMTP";
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _envelope = new();

    private ScriptedSmtpServer(bool accept, string? greeting = null)
    {
        _accept = accept;
        _greeting = greeting ?? _greeting;
        _listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>Refuses every recipient with 550 5.1.1.</summary>
    public static ScriptedSmtpServer Rejecting() => new(accept: false);

    /// <summary>Offers DSN, accepts every message, and keeps its MAIL FROM and RCPT TO lines.</summary>
    public static ScriptedSmtpServer AcceptingWithDsn() => new(accept: true);

    /// <summary>Greets every connection with 554 (no service here), as a relay out of service does.</summary>
    public static ScriptedSmtpServer RefusingAtGreeting() => new(accept: false, greeting: "554 5.3.2 No SMTP service here");

    /// <summary>The MAIL FROM and RCPT TO commands received, in order.</summary>
    public IReadOnlyList<string> Envelope => [.. _envelope];

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int RecipientsRefused { get; private set; }

    private int _connections;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync(_greeting);
            if (!_greeting.StartsWith("220", StringComparison.Ordinal))
            {
                return;
            }

            while (await reader.ReadLineAsync() is { } line)
            {
                var command = line.Split(' ')[0].ToUpperInvariant();
                switch (command)
                {
                    case "EHLO" or "HELO":
                        await writer.WriteLineAsync(_accept ? "250-scripted.test\r\n250 DSN" : "250 rejecting.test");
                        break;
                    case "MAIL":
                        _envelope.Enqueue(line);
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "RSET" or "NOOP":
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "RCPT" when _accept:
                        _envelope.Enqueue(line);
                        await writer.WriteLineAsync("250 2.1.5 OK");
                        break;
                    case "DATA" when _accept:
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        while (await reader.ReadLineAsync() is { } data && data != ".")
                        {
                        }

                        await writer.WriteLineAsync("250 2.0.0 Queued");
                        break;
                    case "RCPT":
                        RecipientsRefused++;
                        // As real relays do, the reply quotes the address: it must not reach logs or Hangfire.
                        await writer.WriteLineAsync($"550 5.1.1 {line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..]}: Recipient address rejected");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 Command not implemented");
                        break;
                }
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
