using System.Diagnostics.Metrics;
using StepUpDown.Domain.Detection;

namespace StepUpDown.Integration.Telemetry;

/// <summary>
/// The worker's OpenTelemetry meter (<see cref="MeterName"/>). Tags name sources, step kinds,
/// recipient roles and templates, never a child.
/// </summary>
public sealed class StepUpDownMetrics
{
    /// <summary>The meter's name, for exporters to subscribe to.</summary>
    public const string MeterName = "StepUpDown";

    private readonly Counter<long> _recordsRead;
    private readonly Counter<long> _stepsDetected;
    private readonly Counter<long> _quarantined;
    private readonly Counter<long> _notificationsSent;
    private readonly Counter<long> _notificationsFailed;
    private readonly Histogram<double> _pollDuration;
    private readonly Histogram<double> _deliveryLatency;
    private readonly TimeProvider _time;
    private long _oldestUndeliveredTicks;
    private long _openHandovers;
    private long _stalledHandovers;

    /// <summary>Creates the meter and its instruments.</summary>
    public StepUpDownMetrics(IMeterFactory meters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _time = time;
        var meter = meters.Create(MeterName);
        _recordsRead = meter.CreateCounter<long>("stepupdown.records.read", "{record}", "Records read from case feeds.");
        _stepsDetected = meter.CreateCounter<long>("stepupdown.steps.detected", "{step}", "Steps detected, by kind.");
        _quarantined = meter.CreateCounter<long>("stepupdown.records.quarantined", "{record}", "Records quarantined as unusable.");
        _notificationsSent = meter.CreateCounter<long>("stepupdown.notifications.sent", "{notification}", "Notifications accepted by the mail relay.");
        _notificationsFailed = meter.CreateCounter<long>("stepupdown.notifications.failed", "{notification}", "Delivery attempts that failed (permanent: true when no retry follows).");
        _pollDuration = meter.CreateHistogram<double>("stepupdown.poll.duration", "s", "How long a poll of a case feed took.");
        _deliveryLatency = meter.CreateHistogram<double>(
            "stepupdown.notifications.delivery.latency", "s", "From a step recorded to its notice accepted by the relay, by recipient role.");
        meter.CreateObservableGauge("stepupdown.notifications.oldest_undelivered.age", OldestUndeliveredAge, "s", "Age of the oldest notice not yet delivered, at the last dispatch (0: none).");
        meter.CreateObservableGauge("stepupdown.handovers.open", () => Interlocked.Read(ref _openHandovers), "{handover}", "Open handovers at the last sweep.");
        meter.CreateObservableGauge("stepupdown.handovers.stalled", () => Interlocked.Read(ref _stalledHandovers), "{handover}", "Open handovers with a ladder stage sent, at the last sweep.");
    }

    /// <summary>One page of a poll.</summary>
    public void PageRead(string source, int records, IEnumerable<DetectedStep> steps, int quarantined)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var sourceTag = new KeyValuePair<string, object?>("source", source);
        _recordsRead.Add(records, sourceTag);
        _quarantined.Add(quarantined, sourceTag);
        foreach (var kind in steps.GroupBy(s => s.Kind))
        {
            _stepsDetected.Add(kind.Count(), sourceTag, new KeyValuePair<string, object?>("kind", kind.Key.ToString()));
        }
    }

    /// <summary>A whole poll of a source.</summary>
    public void Polled(string source, TimeSpan duration) =>
        _pollDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("source", source));

    /// <summary>A message accepted for delivery.</summary>
    public void NotificationSent(string role, string? template) =>
        _notificationsSent.Add(1, new("role", role), new("template", template));

    /// <summary>A notice was accepted by the relay, <paramref name="stepRecordedAt"/> (UTC) being when its step was stored.</summary>
    public void NotificationDelivered(string role, DateTime stepRecordedAt) =>
        _deliveryLatency.Record(Math.Max(0, (_time.GetUtcNow().UtcDateTime - stepRecordedAt).TotalSeconds), new KeyValuePair<string, object?>("role", role));

    /// <summary>The oldest undelivered notice's creation (UTC) as the dispatch last saw it; null when none is waiting.</summary>
    public void OldestUndelivered(DateTime? createdAt) => Interlocked.Exchange(ref _oldestUndeliveredTicks, createdAt?.Ticks ?? 0);

    private double OldestUndeliveredAge()
    {
        var ticks = Interlocked.Read(ref _oldestUndeliveredTicks);
        return ticks == 0 ? 0 : Math.Max(0, (_time.GetUtcNow().UtcDateTime - new DateTime(ticks, DateTimeKind.Utc)).TotalSeconds);
    }

    /// <summary>A failed delivery attempt.</summary>
    public void NotificationFailed(string role, string? template, bool permanent) =>
        _notificationsFailed.Add(1, new("role", role), new("template", template), new("permanent", permanent));

    /// <summary>Handover counts after a sweep.</summary>
    public void Handovers(long open, long stalled)
    {
        Interlocked.Exchange(ref _openHandovers, open);
        Interlocked.Exchange(ref _stalledHandovers, stalled);
    }
}
