using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serilog;
using Serilog.Formatting.Compact;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Telemetry;

namespace StepUpDown.Worker;

/// <summary>Where metrics, traces and logs go (section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Telemetry";

    /// <summary><c>none</c>, <c>otlp</c> (an OpenTelemetry collector) or <c>console</c>.</summary>
    [Required]
    [RegularExpression("^(none|otlp|console)$", ErrorMessage = "must be none, otlp or console.")]
    public string MetricsExporter { get; set; } = "none";

    /// <summary>
    /// <c>none</c>, <c>otlp</c> or <c>console</c>: traces of the worker's HTTP requests served, its
    /// case-feed calls and its database commands (statements, never parameter values).
    /// </summary>
    [Required]
    [RegularExpression("^(none|otlp|console)$", ErrorMessage = "must be none, otlp or console.")]
    public string TracesExporter { get; set; } = "none";

    /// <summary>The <c>service.name</c> metrics and traces carry: one per council's deployment, say.</summary>
    [Required]
    public string ServiceName { get; set; } = "stepupdown-worker";

    /// <summary>
    /// <c>text</c> (one line per event, for a person) or <c>json</c> (Serilog's compact JSON: the
    /// UTC time with its zone, level, rendered message and properties, for a log collector).
    /// </summary>
    [Required]
    [RegularExpression("^(text|json)$", ErrorMessage = "must be text or json.")]
    public string LogFormat { get; set; } = "text";

    /// <summary>The collector's OTLP address (with <c>otlp</c>).</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>How often metrics are exported.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if ((MetricsExporter == "otlp" || TracesExporter == "otlp") && OtlpEndpoint is null)
        {
            yield return new ValidationResult("is required when MetricsExporter or TracesExporter is otlp.", [nameof(OtlpEndpoint)]);
        }
    }
}

/// <summary>The worker's meter (<see cref="StepUpDownMetrics"/>) and traces, exported as configured.</summary>
public static class Telemetry
{
    /// <summary>Registers the meter and the exporters <c>Telemetry:MetricsExporter</c> and <c>Telemetry:TracesExporter</c> name.</summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = Read(builder.Configuration);
        builder.Services.AddSingleton<StepUpDownMetrics>();
        if (options.MetricsExporter == "none" && options.TracesExporter == "none")
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(options.ServiceName));
        if (options.MetricsExporter != "none")
        {
            telemetry.WithMetrics(metrics =>
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
        }

        if (options.TracesExporter != "none")
        {
            // URL query strings are redacted by the instrumentation (a lead lookup's NHS number never leaves in a span).
            telemetry.WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsql();
                if (options.TracesExporter == "otlp")
                {
                    tracing.AddOtlpExporter(exporter => exporter.Endpoint = options.OtlpEndpoint!);
                }
                else
                {
                    tracing.AddConsoleExporter();
                }
            });
        }

        return builder;
    }

    /// <summary>The console sink: a line of text per event, or compact JSON with <c>Telemetry:LogFormat=json</c>.</summary>
    public static LoggerConfiguration WriteToConsole(this LoggerConfiguration logger, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return Read(configuration).LogFormat == "json"
            ? logger.WriteTo.Console(new RenderedCompactJsonFormatter())
            : logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}", formatProvider: CultureInfo.InvariantCulture);
    }

    private static TelemetryOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        SectionValidation.ThrowIfInvalid(options, TelemetryOptions.SectionName);
        return options;
    }
}
