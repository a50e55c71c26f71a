using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Health;

namespace StepUpDown.Worker.Health;

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c>: PostgreSQL answers with every
/// migration applied (else 503); each case feed's last successful poll is recent, no notification
/// has waited long to be delivered, the SMTP relay accepts a connection and the bank holiday
/// calendar covers the next 60 days (else "Degraded", still 200: none of these stops the worker today).
/// The JSON body names each check and its state, never a child.
/// </summary>
public static class ReadinessChecks
{
    /// <summary>Maps the two endpoints.</summary>
    public static WebApplication MapReadinessChecks(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        var degraded = app.Services.GetRequiredService<IOptions<HealthOptions>>().Value.DegradedStatusCode;
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthTags.Ready),
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
}
