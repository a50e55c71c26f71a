using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Health;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.Handovers;

/// <summary>
/// Degraded while the last read of the reply mailbox failed (answers are not seen), or while a reply
/// has waited for a person for more than a working day.
/// </summary>
internal sealed class ReplyMailboxCheck(
    IOptions<MailOptions> mail, ReplyMailboxStatus status, NpgsqlDataSource dataSource, WorkingDayCalendar calendar, TimeProvider time)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!mail.Value.Replies.AreRead)
        {
            return HealthCheckResult.Healthy("Proposed leads are not asked to answer by reply (Mail:Replies:Address).");
        }

        if (status.Last is { Error: { } error } failed)
        {
            return HealthCheckResult.Degraded(
                $"The reply mailbox could not be read at {failed.At:u} ({error}): answers by reply are not seen, and the ladder chases as if none came.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (oldest, count) = await HandoverReplies.SummaryAsync(connection);
        if (Waiting.OverAWorkingDay(calendar, oldest, time))
        {
            return HealthCheckResult.Degraded(
                $"{count} replies wait for a person, the oldest since {oldest:u}: see the dashboard's Replies needing a person page.");
        }

        return HealthCheckResult.Healthy(
            $"{count} replies wait for a person, none for more than a working day.");
    }
}
