using System.Net;
using System.Net.Sockets;
using System.Text;
using StepUpDown.Integration.Notifications;

namespace StepUpDown.Demo;

/// <summary>
/// The demo's mail relay: a minimal SMTP server on the loopback interface that accepts every
/// message and keeps it as an <c>.eml</c> file in one folder (0600 in a 0700 folder: the demo's
/// families are fictional, but the files are shaped like real notices). The worker sends to it
/// over SMTP exactly as it would to a council's relay, so the demo's ledger says <c>sent</c>, and
/// the demo's handovers complete, as they would in a council.
/// </summary>
public sealed class DemoMailbox : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _folder;
    private readonly CancellationTokenSource _stopping = new();
    private Task _accepting = Task.CompletedTask;

    /// <summary>Creates the mailbox; <see cref="Start"/> opens it.</summary>
    /// <param name="port">The loopback port it listens on.</param>
    /// <param name="folder">Where each received message is written.</param>
    public DemoMailbox(int port, string folder)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _folder = Path.GetFullPath(folder);
    }

    /// <summary>Starts listening.</summary>
    public void Start()
    {
        OutboxMailTransport.CreatePrivateFolder(_folder);
        _listener.Start();
        _accepting = AcceptAsync(_stopping.Token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
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
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.Latin1);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 demo-mailbox ESMTP");
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    switch (line.Split(' ')[0].ToUpperInvariant())
                    {
                        case "EHLO" or "HELO":
                            await writer.WriteLineAsync("250-demo-mailbox");
                            await writer.WriteLineAsync("250 8BITMIME");
                            break;
                        case "DATA":
                            await writer.WriteLineAsync("354 go ahead");
                            await SaveAsync(await ReadDataAsync(reader, cancellationToken), cancellationToken);
                            await writer.WriteLineAsync("250 2.0.0 kept");
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
                // The client went away, or the demo is stopping.
            }
        }
    }

    /// <summary>The message up to the lone ".", with SMTP's dot-stuffing undone.</summary>
    private static async Task<string> ReadDataAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var message = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line && line != ".")
        {
            message.Append(line.StartsWith("..", StringComparison.Ordinal) ? line[1..] : line).Append("\r\n");
        }

        return message.ToString();
    }

    private async Task SaveAsync(string message, CancellationToken cancellationToken)
    {
        // Named by the notice's Message-Id (the ledger's), so a resend overwrites its first copy.
        var messageId = message.Split("\r\n")
            .FirstOrDefault(header => header.StartsWith("Message-Id:", StringComparison.OrdinalIgnoreCase))?
            .Split(':', 2)[1].Trim().Trim('<', '>').Split('@')[0];
        var name = string.IsNullOrEmpty(messageId) || messageId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 ? Guid.NewGuid().ToString("N") : messageId;
        var path = Path.Combine(_folder, $"{name}.eml");
        await OutboxMailTransport.WritePrivateFileAsync(path, file => file.WriteAsync(Encoding.Latin1.GetBytes(message), cancellationToken).AsTask(), cancellationToken);
    }
}
