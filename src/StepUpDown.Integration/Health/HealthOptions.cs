using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http;

namespace StepUpDown.Integration.Health;

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

/// <summary>The tag of the checks <c>/health/ready</c> runs; each capability adds its own.</summary>
public static class HealthTags
{
    /// <summary>Run by <c>/health/ready</c>.</summary>
    public const string Ready = "ready";
}
