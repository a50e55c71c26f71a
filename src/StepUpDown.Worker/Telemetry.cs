using System.ComponentModel.DataAnnotations;
using OpenTelemetry.Metrics;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Telemetry;

namespace StepUpDown.Worker;

/// <summary>Where metrics go (section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Telemetry";

    /// <summary><c>none</c>, <c>otlp</c> (an OpenTelemetry collector) or <c>console</c>.</summary>
    [Required]
    [RegularExpression("^(none|otlp|console)$", ErrorMessage = "must be none, otlp or console.")]
    public string MetricsExporter { get; set; } = "none";

    /// <summary>The collector's OTLP address (with <c>otlp</c>).</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>How often metrics are exported.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MetricsExporter == "otlp" && OtlpEndpoint is null)
        {
            yield return new ValidationResult("is required when MetricsExporter is otlp.", [nameof(OtlpEndpoint)]);
        }
    }
}

/// <summary>The worker's meter (<see cref="StepUpDownMetrics"/>), exported as configured.</summary>
public static class Telemetry
{
    /// <summary>Registers the meter and the exporter <c>Telemetry:MetricsExporter</c> names.</summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        SectionValidation.ThrowIfInvalid(options, TelemetryOptions.SectionName);
        builder.Services.AddSingleton<StepUpDownMetrics>();
        if (options.MetricsExporter == "none")
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(StepUpDownMetrics.MeterName);
            var interval = (int)options.ExportInterval.TotalMilliseconds;
            if (options.MetricsExporter == "otlp")
            {
                metrics.AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = options.OtlpEndpoint!;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                });
            }
            else
            {
                metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval);
            }
        });
        return builder;
    }
}
