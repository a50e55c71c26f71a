using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StepUpDown.Bench;

/// <summary>
/// A minimal SMTP server that accepts every message and keeps nothing, run in its own process:
/// the benchmark's sink, so that the figures measure the worker rather than the sink.
/// </summary>
internal static class SmtpSink
{
    public static async Task RunAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Console.WriteLine($"LISTENING {((IPEndPoint)listener.LocalEndpoint).Port}");
        while (true)
        {
            var client = await listener.AcceptTcpClientAsync();
            _ = ServeAsync(client);
        }
    }

    private static async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            client.NoDelay = true; // no Nagle: each reply goes out at once, as a real relay's does
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
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
                        while (await reader.ReadLineAsync() is { } data && data != ".")
                        {
                        }

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
    }
}
