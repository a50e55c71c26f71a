using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StepUpDown.Integration.Monitoring;
using StepUpDown.Worker;

namespace StepUpDown.Bench;

/// <summary>
/// Issue 14's figures: the monitoring report and the audit trail over a large council's year,
/// written straight into the tables (STEPS steps over 2026, 2.25 notices each, a handover per 10
/// steps): how long a quarter's report, a year's report and an audit trail by reference take.
/// </summary>
internal static class ReportBenchmark
{
    public static async Task RunAsync(int steps)
    {
        Console.WriteLine($"StepUpDown report benchmark: {steps:N0} steps over 2026, {Environment.ProcessorCount} cores");
        await using var environment = await BenchEnvironment.StartAsync(0, 0);
        await using var worker = await StepUpDownHost.CreateAsync([], environment.WorkerSettings(1000, new Dictionary<string, string?> { ["Jobs:RunServer"] = "false" }));
        await using (var database = new NpgsqlConnection(environment.Cluster.ConnectionString))
        {
            var seeding = Stopwatch.StartNew();
            await database.ExecuteAsync(
                """
                INSERT INTO stepupdown.steps (id, source, child_id, kind, from_level, to_level, to_version, record, detected_at, markers, occurred_on)
                SELECT gen_random_uuid(), CASE WHEN i % 3 = 0 THEN 'early-help' ELSE 'social-care' END, 'C-' || (i % (@steps / 4)), 
                       (ARRAY['StepUp', 'StepDown', 'StepIn', 'StepOut', 'LeadProfessionalChanged', 'HandoverStalled'])[1 + i % 6],
                       (ARRAY['universal', 'early-help', 'child-in-need'])[1 + i % 3], (ARRAY['early-help', 'child-in-need', 'child-protection'])[1 + i % 3],
                       i, '{"childId":"C"}', timestamptz '2026-01-01' + (i * interval '365 days' / @steps),
                       CASE WHEN i % 7 = 0 THEN ARRAY['ReReferral'] WHEN i % 11 = 0 THEN ARRAY['Unplanned'] ELSE '{}' END,
                       (date '2026-01-01' + (i * 365 / @steps))
                  FROM generate_series(1, @steps) AS i;
                INSERT INTO stepupdown.notifications (id, step_id, recipient_role, state, message_id, created_at, next_attempt_at)
                SELECT gen_random_uuid(), s.id, r.role, (ARRAY['sent', 'sent', 'sent', 'failed', 'withheld'])[1 + (abs(hashtext(s.id::text || r.role)) % 5)],
                       gen_random_uuid()::text, s.detected_at, NULL
                  FROM stepupdown.steps s CROSS JOIN (VALUES ('gp'), ('massh')) AS r(role);
                INSERT INTO stepupdown.handovers (id, source, child_id, planned, state, opened_at, started_on, working_days, closed_at)
                SELECT id, source, child_id, true, 'complete', detected_at, occurred_on, 1 + abs(hashtext(id::text)) % 30, detected_at + interval '20 days'
                  FROM stepupdown.steps WHERE kind = 'StepDown' AND to_version % 5 = 0;
                ANALYZE stepupdown.steps, stepupdown.notifications, stepupdown.handovers;
                """,
                new { steps },
                commandTimeout: 0);
            Console.WriteLine($"seeded in {seeding.Elapsed.TotalSeconds:N1} s: {await database.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications"):N0} notices");
        }

        var reports = worker.Services.GetRequiredService<MonitoringReports>();
        await reports.BuildAsync(new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 7), CancellationToken.None); // warm-up
        foreach (var (name, from, to) in new[] { ("quarter", new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30)), ("year", new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31)) })
        {
            var clock = Stopwatch.StartNew();
            var report = await reports.BuildAsync(from, to, CancellationToken.None);
            Console.WriteLine($"report of a {name}: {clock.Elapsed.TotalMilliseconds:N0} ms ({report.Steps.Sum(s => s.Count):N0} steps, {report.Notices.Sum(n => n.Count):N0} notices)");
        }

        var reference = await new NpgsqlConnection(environment.Cluster.ConnectionString).ExecuteScalarAsync<string>(
            "SELECT upper(substr(replace(id::text, '-', ''), 1, 12)) FROM stepupdown.steps ORDER BY to_version DESC LIMIT 1");
        var trails = worker.Services.GetRequiredService<AuditTrails>();
        var lookup = Stopwatch.StartNew();
        var trail = await trails.FindAsync(null, null, reference, CancellationToken.None);
        Console.WriteLine($"audit trail by reference: {lookup.Elapsed.TotalMilliseconds:N0} ms ({trail!.Events.Count} events)");
    }
}
