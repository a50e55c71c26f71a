using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StepUpDown.Bench;

/// <summary>
/// A minimal SMTP server that accepts every message and keeps nothing but, when asked, each
/// accepted message's Message-Id. The notification benchmark runs it in its own process (so that
/// the figures measure the worker rather than the sink); the crash run in its own process, to count.
/// </summary>
internal sealed class SmtpSink : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Action<string>? _accepted;

    private SmtpSink(Action<string>? accepted) => _accepted = accepted;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Starts listening; <paramref name="accepted"/> hears each accepted message's Message-Id.</summary>
    public static SmtpSink Start(Action<string>? accepted)
    {
        var sink = new SmtpSink(accepted);
        sink._listener.Start();
        _ = sink.AcceptAsync();
        return sink;
    }

    /// <summary>The sink as a process of its own: prints its port, then serves until killed.</summary>
    public static async Task RunAsync()
    {
        using var sink = Start(null);
        Console.WriteLine($"LISTENING {sink.Port}");
        await Task.Delay(Timeout.Infinite);
    }

    public void Dispose() => _listener.Stop();

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            client.NoDelay = true; // no Nagle: each reply goes out at once, as a real relay's does
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            try
            {
                await writer.WriteLineAsync("220 sink ESMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    switch (line.Split(' ')[0].ToUpperInvariant())
                    {
                        case "EHLO" or "HELO":
                            // Advertise what real relays do: MailKit pipelines MAIL/RCPT/DATA when it may.
                            await writer.WriteLineAsync("250-sink");
                            await writer.WriteLineAsync("250-PIPELINING");
                            await writer.WriteLineAsync("250 8BITMIME");
                            break;
                        case "DATA":
                            await writer.WriteLineAsync("354 go ahead");
                            string? messageId = null;
                            while (await reader.ReadLineAsync() is { } data && data != ".")
                            {
                                if (_accepted is not null && messageId is null && data.StartsWith("Message-Id:", StringComparison.OrdinalIgnoreCase))
                                {
                                    messageId = data["Message-Id:".Length..].Trim();
                                }
                            }

                            // Only a message that ended with "." is accepted: one cut off by a kill is not.
                            _accepted?.Invoke(messageId ?? "");
                            await writer.WriteLineAsync("250 2.0.0 accepted");
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
            catch (IOException)
            {
                // The worker was killed mid-conversation.
            }
        }
    }
}
