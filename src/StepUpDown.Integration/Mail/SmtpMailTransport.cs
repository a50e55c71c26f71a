using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Sends through the configured SMTP relay over TLS (StartTls or SSL on connect), reusing a small
/// pool of open connections (<c>Mail:Smtp:MaxConnections</c>) rather than opening one per message.
/// A pooled connection idle for a while is checked with NOOP and replaced if the server closed it.
/// Every message asks for delivery reports (<see cref="ReportingSmtpClient"/>) and, with
/// <c>Mail:EnvelopeFrom</c>, goes out from an envelope sender that names its notice.
/// </summary>
public sealed class SmtpMailTransport(IOptions<MailOptions> options, RelayLoginGate logins) : IMailTransport, IDisposable
{
    private static readonly TimeSpan CheckAfterIdle = TimeSpan.FromSeconds(30);
    private readonly ConcurrentBag<PooledClient> _idle = [];
    private readonly SemaphoreSlim _slots = new(options.Value.Smtp.MaxConnections, options.Value.Smtp.MaxConnections);

    /// <inheritdoc />
    public bool ReachesRecipients => true;

    /// <inheritdoc />
    public async Task SendAsync(MimeMessage message, Func<CancellationToken, Task<bool>>? stillOwned, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        PooledClient? pooled = null;
        try
        {
            pooled = await TakeAsync(cancellationToken);
            // The fence covers the send: after waiting for a slot and a connection, the row may be a peer's now.
            if (stillOwned is not null && !await stillOwned(cancellationToken))
            {
                _idle.Add(pooled);
                pooled = null;
                throw new SendAbandonedException();
            }

            await SendOneAsync(pooled.Client, message, cancellationToken);
            pooled.LastUsed = Environment.TickCount64;
            _idle.Add(pooled);
            pooled = null;
        }
        finally
        {
            pooled?.Client.Dispose();
            _slots.Release();
        }
    }

    private Task<string> SendOneAsync(SmtpClient client, MimeMessage message, CancellationToken cancellationToken)
    {
        var envelope = options.Value.EnvelopeFrom;
        if (string.IsNullOrWhiteSpace(envelope) || ReportingSmtpClient.NotificationIdOf(message) is not { } id)
        {
            return client.SendAsync(message, cancellationToken);
        }

        return client.SendAsync(message, MailboxAddress.Parse(EnvelopeSender.For(envelope, id)), message.GetRecipients(), cancellationToken);
    }

    private async Task<PooledClient> TakeAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryTake(out var pooled))
        {
            if (pooled.Client.IsConnected && await StillOpenAsync(pooled, cancellationToken))
            {
                return pooled;
            }

            pooled.Client.Dispose();
        }

        var smtp = options.Value.Smtp;
        var client = new ReportingSmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        try
        {
            await ConnectAsync(client, smtp.Host!, smtp.Port, smtp.Security, smtp.Timeout, cancellationToken);
            await logins.LogInAsync(client, smtp, cancellationToken);
        }
        catch (Exception exception) when (exception is not RelayNotReachedException && !cancellationToken.IsCancellationRequested)
        {
            // Connection, greeting, TLS or login: the relay, not this message. Its type only, no server words.
            client.Dispose();
            throw new RelayNotReachedException(exception is OperationCanceledException ? "the connection timed out" : exception.GetType().Name, exception);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new PooledClient(client);
    }

    /// <summary>
    /// Connects <paramref name="client"/> over a socket with Nagle's algorithm off. MailKit writes
    /// the message body and the closing <c>CRLF.CRLF</c> separately; with Nagle on, that last
    /// small write waits for the server's delayed ACK (40 ms on Linux), which capped one
    /// connection at about 22 messages a second in the notification benchmark.
    /// </summary>
    public static async Task ConnectAsync(
        SmtpClient client, string host, int port, MailKit.Security.SecureSocketOptions security, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectTimeout.CancelAfter(timeout);
            await socket.ConnectAsync(host, port, connectTimeout.Token);
            await client.ConnectAsync(socket, host, port, security, cancellationToken);
        }
        catch (SmtpCommandException refused)
        {
            // Refused at the greeting (421 busy, 554 no service): the relay, not the message. Its code only.
            socket.Dispose();
            throw new RelayNotReachedException($"the relay refused the connection ({(int)refused.StatusCode})", refused);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects to the relay, logs in as a send would (through <paramref name="logins"/>: while the
    /// relay refuses logins, at most one every 15 seconds) and says QUIT: null when all of it
    /// worked, else the exception's type name (no server words). Never throws but for cancellation.
    /// </summary>
    public static async Task<string?> ProbeAsync(SmtpOptions smtp, RelayLoginGate logins, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(smtp);
        ArgumentNullException.ThrowIfNull(logins);
        using var client = new SmtpClient { Timeout = 5_000 };
        try
        {
            await ConnectAsync(client, smtp.Host!, smtp.Port, smtp.Security, TimeSpan.FromSeconds(5), cancellationToken);
            await logins.LogInAsync(client, smtp, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return null;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            return exception.GetType().Name;
        }
    }

    private static async Task<bool> StillOpenAsync(PooledClient pooled, CancellationToken cancellationToken)
    {
        if (Environment.TickCount64 - pooled.LastUsed < CheckAfterIdle.TotalMilliseconds)
        {
            return true;
        }

        try
        {
            await pooled.Client.NoOpAsync(cancellationToken);
            return true;
        }
        catch (Exception exception) when (exception is IOException or SmtpProtocolException or SmtpCommandException or ServiceNotConnectedException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        while (_idle.TryTake(out var pooled))
        {
            pooled.Client.Dispose();
        }

        _slots.Dispose();
    }

    /// <summary>
    /// Asks the relay, where it offers DSN (RFC 3461), for a report of failure or delay of every
    /// recipient (<c>NOTIFY=FAILURE,DELAY</c>), with the headers only (<c>RET=HDRS</c>: a report
    /// never carries the child's notice back) and the ledger row's id as <c>ENVID</c>, which the
    /// report quotes as <c>Original-Envelope-Id</c>.
    /// </summary>
    internal sealed class ReportingSmtpClient : SmtpClient
    {
        public ReportingSmtpClient() => DeliveryStatusNotificationType = DeliveryStatusNotificationType.HeadersOnly;

        /// <summary>The ledger row a message is of: its Message-Id is the row's id at the council's domain.</summary>
        public static Guid? NotificationIdOf(MimeMessage message) => EnvelopeSender.IdIn(message.MessageId);

        protected override string? GetEnvelopeId(MimeMessage message) => NotificationIdOf(message)?.ToString("N");

        protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox) =>
            DeliveryStatusNotification.Failure | DeliveryStatusNotification.Delay;
    }

    private sealed class PooledClient(SmtpClient client)
    {
        public SmtpClient Client { get; } = client;

        public long LastUsed { get; set; } = Environment.TickCount64;
    }
}
