using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Dapper;
using MailKit.Net.Smtp;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Worker.Health;

/// <summary>Readiness thresholds (section <c>Health</c>).</summary>
public sealed class HealthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Health";

    /// <summary>A case feed not polled successfully for longer than this reports degraded.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan MaxPollAge { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A notification waiting longer than this to be delivered reports degraded.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan MaxNotificationWait { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The HTTP status of a Degraded readiness: 200 (the default) keeps a load balancer sending
    /// traffic; a plain HTTP monitor that only sees status codes alerts on, say, 299 or 503.
    /// </summary>
    [Range(200, 599)]
    public int DegradedStatusCode { get; set; } = StatusCodes.Status200OK;
}

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c>: PostgreSQL answers with every
/// migration applied (else 503); each case feed's last successful poll is recent, no notification
/// has waited long to be delivered, the SMTP relay accepts a connection and the bank holiday
/// calendar covers the next 60 days (else "Degraded", still 200: none of these stops the worker today).
/// The JSON body names each check and its state, never a child.
/// </summary>
public static class ReadinessChecks
{
    private const string Ready = "ready";

    /// <summary>Registers the checks.</summary>
    public static IHostApplicationBuilder AddReadinessChecks(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<HealthOptions>(builder.Configuration, HealthOptions.SectionName);
        builder.Services.AddSingleton<MailCheck>(); // one instance, so its last answer is kept
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", HealthStatus.Unhealthy, [Ready])
            .AddCheck<CaseFeedsCheck>("case-feeds", HealthStatus.Degraded, [Ready])
            .AddCheck<NotificationsCheck>("notifications", HealthStatus.Degraded, [Ready])
            .AddCheck<MailCheck>("mail", HealthStatus.Degraded, [Ready])
            .AddCheck<CalendarCheck>("bank-holidays", HealthStatus.Degraded, [Ready]);
        return builder;
    }

    /// <summary>Maps the two endpoints.</summary>
    public static WebApplication MapReadinessChecks(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        var degraded = app.Services.GetRequiredService<IOptions<HealthOptions>>().Value.DegradedStatusCode;
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = WriteJsonAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = degraded,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }

    private static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }

    /// <summary>PostgreSQL answers and every embedded migration is applied.</summary>
    private sealed class DatabaseCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                var applied = await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM stepupdown.schema_migrations");
                var expected = SchemaMigrator.Scripts().Count;
                return applied >= expected
                    ? HealthCheckResult.Healthy($"PostgreSQL answers; {applied} migrations applied.")
                    : HealthCheckResult.Unhealthy($"{applied} of {expected} migrations applied.");
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy($"PostgreSQL does not answer: {exception.GetType().Name}.");
            }
        }
    }

    /// <summary>Each configured source was polled successfully within <see cref="HealthOptions.MaxPollAge"/>.</summary>
    private sealed class CaseFeedsCheck(NpgsqlDataSource dataSource, IOptions<CaseFeedOptions> feeds, IOptions<HealthOptions> health, TimeProvider time) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var polled = (await connection.QueryAsync<(string Source, DateTime LastPolledAt)>(
                    "SELECT source, last_polled_at FROM stepupdown.source_cursors WHERE last_polled_at IS NOT NULL"))
                .ToDictionary(p => p.Source, p => new DateTimeOffset(p.LastPolledAt, TimeSpan.Zero), StringComparer.Ordinal);
            var now = time.GetUtcNow();
            var stale = feeds.Value.Sources.Keys
                .Where(source => !polled.TryGetValue(source, out var at) || now - at > health.Value.MaxPollAge)
                .Select(source => polled.TryGetValue(source, out var at) ? $"{source} last polled {(now - at).TotalMinutes:N0} min ago" : $"{source} never polled")
                .ToList();
            return stale.Count == 0
                ? HealthCheckResult.Healthy($"{feeds.Value.Sources.Count} case feeds polled within {health.Value.MaxPollAge}.")
                : HealthCheckResult.Degraded(string.Join("; ", stale) + ".");
        }
    }

    /// <summary>
    /// No notification has waited longer than <see cref="HealthOptions.MaxNotificationWait"/>: a
    /// relay refusing mail (retries under way) or a dispatch that stopped shows here.
    /// </summary>
    private sealed class NotificationsCheck(NpgsqlDataSource dataSource, IOptions<HealthOptions> health, TimeProvider time) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var (waiting, oldest, failed) = await connection.QuerySingleAsync<(long, DateTime?, long)>(
                """
                SELECT count(*) FILTER (WHERE state IN ('pending', 'sending')), min(created_at) FILTER (WHERE state IN ('pending', 'sending')),
                       count(*) FILTER (WHERE state = 'failed' AND created_at > @since)
                  FROM stepupdown.notifications WHERE state IN ('pending', 'sending', 'failed')
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

    /// <summary>The bank holiday calendar covers the next <see cref="Ahead"/>: warn before the sweep has to refuse.</summary>
    private sealed class CalendarCheck(WorkingDayCalendar calendar, TimeProvider time) : IHealthCheck
    {
        private static readonly TimeSpan Ahead = TimeSpan.FromDays(60);

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult((time.GetUtcNow() + Ahead).Year <= calendar.LastYear
                ? HealthCheckResult.Healthy($"Bank holidays known to the end of {calendar.LastYear}.")
                : HealthCheckResult.Degraded($"The bank holiday calendar ends with {calendar.LastYear}: put a newer copy of gov.uk's bank-holidays.json in config/ before working days run out."));
    }

    /// <summary>
    /// The SMTP relay accepts a connection (TLS as configured); without one, the outbox folder is
    /// writable. The relay's answer is kept for <see cref="ReuseFor"/>, so an orchestrator probing
    /// every few seconds does not open a connection to the relay each time.
    /// </summary>
    internal sealed class MailCheck(IOptions<MailOptions> mail) : IHealthCheck, IDisposable
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

        private static async Task<HealthCheckResult> ProbeAsync(SmtpOptions smtp, CancellationToken cancellationToken)
        {
            using var client = new SmtpClient { Timeout = 5_000 };
            try
            {
                await SmtpMailTransport.ConnectAsync(client, smtp.Host!, smtp.Port, smtp.Security, TimeSpan.FromSeconds(5), cancellationToken);
                await client.DisconnectAsync(quit: true, cancellationToken);
                return HealthCheckResult.Healthy("The SMTP relay accepts connections.");
            }
            catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or OperationCanceledException or MailKit.ProtocolException or MailKit.Security.SslHandshakeException)
            {
                return HealthCheckResult.Degraded($"The SMTP relay does not accept connections: {exception.GetType().Name}.");
            }
        }
    }
}
