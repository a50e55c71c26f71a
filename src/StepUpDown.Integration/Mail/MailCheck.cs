using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// The SMTP relay accepts a connection (TLS as configured) and the login; without one, the outbox folder is
/// writable. The relay's answer is kept for <see cref="ReuseFor"/>, so an orchestrator probing
/// every few seconds does not open a connection to the relay each time.
/// </summary>
internal sealed class MailCheck(IOptions<MailOptions> mail, RelayLoginGate logins) : IHealthCheck, IDisposable
{
    private static readonly TimeSpan ReuseFor = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _probing = new(1, 1);
    private (long At, HealthCheckResult Result)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var options = mail.Value;
        if (!options.UsesSmtp)
        {
            OutboxMailTransport.CreatePrivateFolder(options.OutboxDirectory);
            return HealthCheckResult.Degraded("No SMTP relay configured: notices are written to the outbox folder, not sent to anyone.");
        }

        await _probing.WaitAsync(cancellationToken);
        try
        {
            if (_last is not { } last || Environment.TickCount64 - last.At > ReuseFor.TotalMilliseconds)
            {
                _last = last = (Environment.TickCount64, await ProbeAsync(options.Smtp, cancellationToken));
            }

            return last.Result;
        }
        finally
        {
            _probing.Release();
        }
    }

    public void Dispose() => _probing.Dispose();

    private async Task<HealthCheckResult> ProbeAsync(SmtpOptions smtp, CancellationToken cancellationToken) =>
        await SmtpMailTransport.ProbeAsync(smtp, logins, cancellationToken) is { } failure
            ? HealthCheckResult.Degraded($"The SMTP relay does not accept connections or logins: {failure}.")
            : HealthCheckResult.Healthy("The SMTP relay accepts connections and logins.");
}
