using StepUpDown.Integration.Mail;
using System.Text;
using StepUpDown.Simulator;

namespace StepUpDown.Demo;

/// <summary>
/// The demo's mail relay: the simulated relay on the loopback interface, keeping each message it
/// accepts as an <c>.eml</c> file in one folder (0600 in a 0700 folder: the demo's families are
/// fictional, but the files are shaped like real notices). The worker sends to it over SMTP
/// exactly as it would to a council's relay, so the demo's ledger says <c>sent</c>, and the
/// demo's handovers complete, as they would in a council.
/// </summary>
public sealed class DemoMailbox : IAsyncDisposable
{
    private readonly int _port;
    private readonly string _folder;
    private LoopbackSmtpRelay? _relay;

    /// <summary>Creates the mailbox; <see cref="Start"/> opens it.</summary>
    /// <param name="port">The loopback port it listens on.</param>
    /// <param name="folder">Where each received message is written.</param>
    public DemoMailbox(int port, string folder)
    {
        _port = port;
        _folder = Path.GetFullPath(folder);
    }

    /// <summary>Starts listening.</summary>
    public void Start()
    {
        OutboxMailTransport.CreatePrivateFolder(_folder);
        _relay = LoopbackSmtpRelay.Start(_port, SaveAsync);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _relay?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task SaveAsync(string message, CancellationToken cancellationToken)
    {
        // Named by the notice's Message-Id (the ledger's), so a resend overwrites its first copy.
        var messageId = LoopbackSmtpRelay.MessageIdOf(message)?.Trim('<', '>').Split('@')[0];
        var name = string.IsNullOrEmpty(messageId) || messageId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 ? Guid.NewGuid().ToString("N") : messageId;
        var path = Path.Combine(_folder, $"{name}.eml");
        await OutboxMailTransport.WritePrivateFileAsync(path, file => file.WriteAsync(Encoding.Latin1.GetBytes(message), cancellationToken).AsTask(), cancellationToken);
    }
}
