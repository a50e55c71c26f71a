using Dapper;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Integration.Health;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// No notification has waited longer than <see cref="HealthOptions.MaxNotificationWait"/>: a
/// relay refusing mail (retries under way) or a dispatch that stopped shows here.
/// </summary>
internal sealed class NotificationsCheck(NpgsqlDataSource dataSource, IOptions<HealthOptions> health, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (waiting, oldest, failed) = await connection.QuerySingleAsync<(long, DateTime?, long)>(
            $"""
            SELECT count(*) FILTER (WHERE state IN ({NotificationStates.Sql(NotificationStates.Undelivered)})), min(created_at) FILTER (WHERE state IN ({NotificationStates.Sql(NotificationStates.Undelivered)})),
                   count(*) FILTER (WHERE state = {NotificationStates.Sql(NotificationState.Failed)} AND created_at > @since)
              FROM stepupdown.notifications WHERE state IN ({NotificationStates.Sql(NotificationState.Pending)}, {NotificationStates.Sql(NotificationState.Sending)}, {NotificationStates.Sql(NotificationState.Failed)})
            """,
            new { since = time.GetUtcNow().AddDays(-1) });
        var longest = oldest is { } at ? time.GetUtcNow() - new DateTimeOffset(at, TimeSpan.Zero) : TimeSpan.Zero;
        var limit = health.Value.MaxNotificationWait;
        if (failed > 0)
        {
            return HealthCheckResult.Degraded($"{failed} notifications failed in the last 24 hours (the MASSH was told of each): see the dashboard's Notifications page.");
        }

        return longest <= limit
            ? HealthCheckResult.Healthy($"{waiting} notifications waiting, none for longer than {limit}.")
            : HealthCheckResult.Degraded($"{waiting} notifications waiting, the oldest for {longest.TotalMinutes:N0} min: see the dashboard's Notifications page.");
    }
}

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
