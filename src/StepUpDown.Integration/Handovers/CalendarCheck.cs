using Microsoft.Extensions.Diagnostics.HealthChecks;
using StepUpDown.Domain.Handovers;

namespace StepUpDown.Integration.Handovers;

/// <summary>The bank holiday calendar covers the next <see cref="Ahead"/>: warn before the sweep has to refuse.</summary>
internal sealed class CalendarCheck(WorkingDayCalendar calendar, TimeProvider time) : IHealthCheck
{
    private static readonly TimeSpan Ahead = TimeSpan.FromDays(90);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult((time.GetUtcNow() + Ahead).Year <= calendar.LastYear
            ? HealthCheckResult.Healthy($"Bank holidays known to the end of {calendar.LastYear}.")
            : HealthCheckResult.Degraded($"The bank holiday calendar ends with {calendar.LastYear}: put a newer copy of gov.uk's bank-holidays.json in config/ before working days run out."));
}
