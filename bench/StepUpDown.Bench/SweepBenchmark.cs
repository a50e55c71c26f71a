using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StepUpDown.Integration.Handovers;
using StepUpDown.Worker;

namespace StepUpDown.Bench;

/// <summary>
/// The handover sweep over a large council's open handovers, written straight into the tables:
/// HANDOVERS agreed step downs (child in need to early help), each child with a few years of steps
/// and GP notices behind it. A first sweep sends the reminder of every handover past its third
/// working day; the second is the steady state of every minute (every handover reviewed, nothing due).
/// </summary>
internal static class SweepBenchmark
{
    public static async Task RunAsync(int handovers)
    {
        Console.WriteLine($"StepUpDown sweep benchmark: {handovers:N0} open handovers, {Environment.ProcessorCount} cores");
        await using var environment = await BenchEnvironment.StartAsync(0, 0);
        await using var worker = await StepUpDownHost.CreateAsync([], environment.WorkerSettings(1000, new Dictionary<string, string?> { ["Jobs:RunServer"] = "false" }));
        await using (var database = new NpgsqlConnection(environment.Cluster.ConnectionString))
        {
            var seeding = Stopwatch.StartNew();
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            await database.ExecuteAsync(
                """
                INSERT INTO stepupdown.child_records (source, child_id, version, level_code, nhs_number, record, stored_at)
                SELECT 'social-care', 'C-' || i, 2, 'child-in-need', NULL,
                       jsonb_build_object('childId', 'C-' || i, 'status', 'open', 'levelOfNeed', 'CIN', 'version', 2,
                                          'allocatedTeam', jsonb_build_object('name', 'North CIN team', 'managerName', 'Tess Manager', 'managerEmail', 'tess.manager@council.example'),
                                          'stepDown', jsonb_build_object('agreedOn', @agreedOn::date - (i % 10), 'forum', 'tac-meeting', 'targetLevel', 'EH', 'familyConsent', true,
                                                                         'proposedLeadProfessional', jsonb_build_object('name', 'Pat Early', 'email', 'pat.early@council.example'))),
                       now()
                  FROM generate_series(1, @handovers) AS i;
                INSERT INTO stepupdown.steps (id, source, child_id, kind, from_level, to_level, to_version, record, detected_at, markers, occurred_on)
                SELECT md5('agreed' || i)::uuid, 'social-care', 'C-' || i, 'StepDownAgreed', 'child-in-need', 'child-in-need', 2, r.record,
                       now() - (i % 10) * interval '1 day', '{}', @agreedOn::date - (i % 10)
                  FROM generate_series(1, @handovers) AS i JOIN stepupdown.child_records r ON r.child_id = 'C-' || i;
                INSERT INTO stepupdown.steps (id, source, child_id, kind, from_level, to_level, to_version, record, detected_at, markers, occurred_on)
                SELECT gen_random_uuid(), 'social-care', 'C-' || i, (ARRAY['StepUp', 'StepIn', 'StepOut', 'LeadProfessionalChanged', 'StepDown'])[1 + h % 5],
                       'early-help', 'child-in-need', 1, '{}', now() - (400 + h * 30) * interval '1 day', '{}', @agreedOn::date - (400 + h * 30)
                  FROM generate_series(1, @handovers) AS i CROSS JOIN generate_series(1, 8) AS h;
                INSERT INTO stepupdown.notifications (id, step_id, recipient_role, state, message_id, created_at, next_attempt_at)
                SELECT gen_random_uuid(), s.id, 'gp', 'sent', gen_random_uuid()::text, s.detected_at, NULL
                  FROM stepupdown.steps s WHERE s.kind <> 'StepDownAgreed';
                INSERT INTO stepupdown.handovers (id, source, child_id, planned, agreed_on, started_on, target_level, target, opened_at)
                SELECT md5('agreed' || i)::uuid, 'social-care', 'C-' || i, true, @agreedOn::date - (i % 10), @agreedOn::date - (i % 10), 'EH', 'early-help',
                       now() - (i % 10) * interval '1 day'
                  FROM generate_series(1, @handovers) AS i;
                ANALYZE stepupdown.child_records, stepupdown.steps, stepupdown.notifications, stepupdown.handovers;
                """,
                new { handovers, agreedOn = today.ToDateTime(TimeOnly.MinValue) },
                commandTimeout: 0);
            Console.WriteLine($"seeded in {seeding.Elapsed.TotalSeconds:N1} s: {await database.ExecuteScalarAsync<long>("SELECT count(*) FROM stepupdown.steps"):N0} steps");
        }

        foreach (var run in new[] { "first sweep (reminders due)", "steady sweep (nothing due)" })
        {
            await using var scope = worker.Services.CreateAsyncScope();
            var sweep = scope.ServiceProvider.GetRequiredService<HandoverSweep>();
            var clock = Stopwatch.StartNew();
            var result = await sweep.SweepAsync(CancellationToken.None);
            Console.WriteLine(
                $"{run}: {clock.Elapsed.TotalMilliseconds:N0} ms, {clock.Elapsed.TotalMilliseconds / Math.Max(1, result.Reviewed):N2} ms a handover " +
                $"({result.Reviewed:N0} reviewed, {result.Escalated:N0} escalated, {result.Completed:N0} completed, {result.Withdrawn:N0} withdrawn)");
        }
    }
}
