using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Telemetry;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Worker;

/// <summary>The worker's meter as an exporter sees it, through the real pipeline.</summary>
public sealed class MetricsTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail), IDisposable
{
    private readonly ConcurrentBag<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = [];
    private readonly ConcurrentBag<(string Instrument, double Value, Dictionary<string, object?> Tags)> _doubles = [];
    private MeterListener? _listener;

    private void Listen()
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == StepUpDownMetrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            _measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            _doubles.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        _listener.Start();
    }

    private long Sum(string instrument, string tag, object value) =>
        _measurements.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault(tag), value)).Sum(m => m.Value);

    [Fact]
    public async Task AStepUp_CountsRecordsStepsAndNotificationsByKindAndRole()
    {
        Listen();
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1), new Dictionary<string, object?> { ["childId"] = "SC-2" });
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));

        await Worker.PollAsync();
        await Worker.PollAsync();
        await Mail.WaitForMessagesAsync(2);
        // A notice is counted once its send is recorded, after the sink has it: wait for both counts.
        await Worker.WaitUntilAsync(
            () => Task.FromResult(Sum("stepupdown.notifications.sent", "role", "massh") == 1 && Sum("stepupdown.notifications.sent", "role", "gp") >= 1),
            "the MASSH's and the GP's notices are counted");

        Sum("stepupdown.records.read", "source", "social-care").ShouldBe(3);
        Sum("stepupdown.records.quarantined", "source", "social-care").ShouldBe(1);
        Sum("stepupdown.steps.detected", "kind", "StepUp").ShouldBe(1);
        Sum("stepupdown.notifications.sent", "role", "gp").ShouldBe(1);
        _measurements.ShouldNotContain(m => m.Instrument == "stepupdown.notifications.failed");
        _measurements.SelectMany(m => m.Tags.Values).OfType<string>().ShouldNotContain(v => v.Contains("Lovelace", StringComparison.Ordinal));
        _doubles.Where(m => m.Instrument == "stepupdown.notifications.delivery.latency" && Equals(m.Tags["role"], "gp"))
            .ShouldHaveSingleItem().Value.ShouldBeInRange(0, 300, "seconds from the step recorded to the GP's notice accepted");
    }

    [Fact]
    public async Task TheOldestUndeliveredNotice_IsAGaugeOfItsAge_SetAtEachDispatch_AndZeroOnceNoneWaits()
    {
        Listen();
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();
        await Worker.QueryScalarAsync<int>(
            "UPDATE stepupdown.notifications SET state = 'pending', next_attempt_at = now() + interval '1 hour', created_at = now() - interval '10 minutes' WHERE recipient_role = 'gp'; SELECT 1");

        await Worker.Get<NotificationDispatcher>().DispatchPendingAsync(CancellationToken.None);
        _listener!.RecordObservableInstruments();
        var waiting = _doubles.Where(m => m.Instrument == "stepupdown.notifications.oldest_undelivered.age").Select(m => m.Value).ToList();
        await Worker.QueryScalarAsync<int>("UPDATE stepupdown.notifications SET state = 'sent' WHERE recipient_role = 'gp'; SELECT 1");
        await Worker.Get<NotificationDispatcher>().DispatchPendingAsync(CancellationToken.None);
        _doubles.Clear();
        _listener.RecordObservableInstruments();

        waiting.ShouldHaveSingleItem().ShouldBeInRange(600, 900, "ten minutes, give or take the test's own time");
        _doubles.Single(m => m.Instrument == "stepupdown.notifications.oldest_undelivered.age").Value.ShouldBe(0);
    }

    public void Dispose() => _listener?.Dispose();
}
