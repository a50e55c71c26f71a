using MailKit.Net.Smtp;
using MailKit.Security;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Logins to the relay, one at a time; while the relay refuses them, at most one every
/// <see cref="RefusedRetryAfter"/> (design: Guarantees; issue 30). A relay that restarted without
/// its user directory once took 486 failed logins from one worker in 3 minutes, enough to lock a
/// council's service account: here every sender and the relay probe share one gate, so a refusal
/// makes the others fail at once ("relay not reached: login refused") without asking the relay,
/// and the next try (the probe's, or a send's) waits out the interval.
/// </summary>
public sealed class RelayLoginGate(TimeProvider time) : IDisposable
{
    /// <summary>How long after a refused login the next one may be tried.</summary>
    public static readonly TimeSpan RefusedRetryAfter = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim _one = new(1, 1);
    private DateTimeOffset _refusedUntil = DateTimeOffset.MinValue;
    private long _refused;

    /// <summary>Logins the relay refused, since this process started.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>True while a login would fail without asking the relay: one was refused less than <see cref="RefusedRetryAfter"/> ago.</summary>
    public bool Refusing => time.GetUtcNow() < _refusedUntil;

    /// <summary>
    /// Logs <paramref name="client"/> in with <paramref name="smtp"/>'s account (nothing without a user name).
    /// </summary>
    /// <exception cref="RelayNotReachedException">The relay refused this login.</exception>
    /// <exception cref="RelayNotAskedException">It refused one less than <see cref="RefusedRetryAfter"/> ago: this one was not tried.</exception>
    public async Task LogInAsync(SmtpClient client, SmtpOptions smtp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(smtp);
        if (string.IsNullOrEmpty(smtp.UserName))
        {
            return;
        }

        await _one.WaitAsync(cancellationToken);
        try
        {
            if (Refusing)
            {
                throw new RelayNotAskedException("login refused, not tried again yet");
            }

            try
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
                _refusedUntil = DateTimeOffset.MinValue;
            }
            catch (Exception exception) when (exception is AuthenticationException or SmtpCommandException)
            {
                Interlocked.Increment(ref _refused);
                _refusedUntil = time.GetUtcNow() + RefusedRetryAfter;
                throw new RelayNotReachedException($"login refused ({exception.GetType().Name})", exception);
            }
        }
        finally
        {
            _one.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _one.Dispose();
}
