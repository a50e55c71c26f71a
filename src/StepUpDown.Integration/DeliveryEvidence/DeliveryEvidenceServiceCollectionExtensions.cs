using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Dashboard;
using StepUpDown.Integration.Health;
using StepUpDown.Integration.Jobs;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.DeliveryEvidence;

/// <summary>
/// Registers the reading of the bounce mailbox (<c>Mail:Bounces:Imap</c>): read in the instance
/// as reports land (IMAP IDLE, else every <c>PollInterval</c>), and by a recurring job (<see cref="ReadBounceMailboxJob"/>)
/// that fails visibly on the dashboard while the mailbox cannot be read; and its readiness check.
/// Uses the ledger of <c>AddNotifications</c>; its options are part of <see cref="MailOptions"/>.
/// </summary>
public static class DeliveryEvidenceServiceCollectionExtensions
{
    /// <summary>Adds <see cref="BounceMailbox"/>, its timer, its job and its readiness check.</summary>
    public static IHostApplicationBuilder AddDeliveryEvidence(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<BounceMailboxStatus>();
        builder.Services.AddSingleton<BounceMailbox>();
        builder.Services.AddScoped<ReadBounceMailboxJob>();
        builder.Services.AddRecurringJobs(provider =>
        [
            RecurringJobDeclaration.Of<ReadBounceMailboxJob>(
                ReadBounceMailboxJob.RecurringJobId, "Mail:Bounces", provider.GetRequiredService<IOptions<MailOptions>>().Value.Bounces.IsRead ? Cron.Minutely() : null,
                job => job.ExecuteAsync(CancellationToken.None)),
        ]);
        builder.Services.AddSingleton<IHostedService>(provider => new MailboxWatcher(
            provider.GetRequiredService<BounceMailbox>(), "bounce mailbox", provider.GetRequiredService<ILogger<MailboxWatcher>>()));
        builder.Services.AddDashboardPage("/delivery-reports", "Delivery reports", () => new DeliveryReportsPage());
        builder.Services.AddHealthChecks().AddCheck<BounceMailboxCheck>("bounce-mailbox", HealthStatus.Degraded, [HealthTags.Ready]);
        return builder;
    }
}

/// <summary>The recurring read of the bounce mailbox: the one ops see on the dashboard, failed while the mailbox cannot be read (not retried: the next read is a minute away).</summary>
[AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
public sealed class ReadBounceMailboxJob(BounceMailbox mailbox)
{
    /// <summary>The recurring job's id.</summary>
    public const string RecurringJobId = "read-bounce-mailbox";

    /// <summary>Reads the mailbox.</summary>
    public Task ExecuteAsync(CancellationToken cancellationToken) => mailbox.ReadAsync(cancellationToken);
}

/// <summary>
/// Degraded while the last read of the bounce mailbox failed (notices may be counted as told that
/// bounced), or while a bounce has gone unanswered for more than a working day (no later notice to
/// that address delivered: the MASSH was told, and nothing has changed).
/// </summary>
internal sealed class BounceMailboxCheck(
    IOptions<MailOptions> mail, BounceMailboxStatus status, NpgsqlDataSource dataSource, WorkingDayCalendar calendar, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!mail.Value.Bounces.IsRead)
        {
            return HealthCheckResult.Healthy("No bounce mailbox is read (Mail:Bounces:Imap:Host): sent means the relay accepted it.");
        }

        if (status.Last is { Error: { } error } failed)
        {
            return HealthCheckResult.Degraded($"The bounce mailbox could not be read at {failed.At:u} ({error}): bounces are not seen; sending goes on.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (oldest, count) = await UnansweredBounces.SummaryAsync(connection);
        if (Waiting.OverAWorkingDay(calendar, oldest, time))
        {
            return HealthCheckResult.Degraded(
                $"{count} bounced notices not answered (no later notice to that address delivered), the oldest since {oldest:u}: see the dashboard's Delivery reports page.");
        }

        return HealthCheckResult.Healthy(
            status.Last is { } last ? $"The bounce mailbox was read at {last.At:u}; {count} bounces unanswered, none for more than a working day." : "The bounce mailbox has not been read yet.");
    }
}
