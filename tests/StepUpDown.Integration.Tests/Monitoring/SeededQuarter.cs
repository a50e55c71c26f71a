using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Monitoring;

/// <summary>
/// A quarter of steps, notices and handovers (July to September 2026, the council in
/// Europe/London) written straight into the worker's tables, with rows just outside the quarter
/// and rows dated only by their UTC detection time on either side of a midnight in British
/// Summer Time. Its figures are worked out by hand in <see cref="MonitoringReportTests"/>.
/// </summary>
public static class SeededQuarter
{
    public static async Task SeedAsync(WorkerHarness worker)
    {
        var eh = "early-help";
        var sc = WorkerHarness.Source;
        //       name  source kind                from               to                 markers                 occurred_on   detected_at (UTC)
        await Step(worker, "s1", sc, "StepUp", "universal", "early-help", "{}", "2026-07-01", "2026-07-01T09:00Z");
        await Step(worker, "s2", sc, "StepUp", "early-help", "child-in-need", "{ReReferral}", "2026-07-08", "2026-07-08T09:00Z");
        await Step(worker, "s3", eh, "StepUp", "universal", "early-help", "{InvalidNhsNumber}", "2026-09-30", "2026-10-01T09:00Z");
        await Step(worker, "s4", sc, "StepDown", "child-in-need", "early-help", "{}", "2026-08-03", "2026-08-03T09:00Z");
        await Step(worker, "s5", sc, "StepDown", "child-in-need", "early-help", "{Unplanned}", "2026-08-04", "2026-08-04T09:00Z");
        await Step(worker, "s6", eh, "StepDown", "early-help", "universal", "{RoutineClosure}", "2026-08-05", "2026-08-05T09:00Z");
        await Step(worker, "s7", eh, "StepOut", "early-help", "early-help", "{NonEngagement}", "2026-08-10", "2026-08-10T09:00Z");
        await Step(worker, "s8", eh, "StepOut", "early-help", "early-help", "{}", "2026-08-11", "2026-08-11T09:00Z");
        await Step(worker, "h1:0", sc, "HandoverStalled", "early-help", "early-help", "{}", "2026-08-20", "2026-08-20T09:00Z");
        await Step(worker, "h1:1", sc, "HandoverStalled", "early-help", "early-help", "{}", "2026-08-27", "2026-08-27T09:00Z");
        await Step(worker, "h2:0", sc, "HandoverStalled", "early-help", "early-help", "{}", "2026-09-01", "2026-09-01T09:00Z");
        await Step(worker, "s9", sc, "StepUp", "universal", "early-help", "{}", null, "2026-09-30T23:30Z"); // 1 Oct 00:30 in London: out
        await Step(worker, "s10", sc, "StepUp", "universal", "early-help", "{}", null, "2026-06-30T23:30Z"); // 1 Jul 00:30 in London: in
        await Step(worker, "s11", sc, "StepUp", "universal", "early-help", "{}", "2026-06-30", "2026-06-30T09:00Z"); // out
        await Step(worker, "s12", sc, "StepDown", "child-in-need", "early-help", "{}", "2026-10-01", "2026-10-01T09:00Z"); // out

        await Notice(worker, "s1", "gp", "sent");
        await Notice(worker, "s1", "massh", "sent");
        await Notice(worker, "s2", "gp", "failed");
        await Notice(worker, "s2", "massh", "sent");
        await Notice(worker, "s3", "massh-nhs-match", "sent");
        await Notice(worker, "s4", "gp", "withheld");
        await Notice(worker, "s4", "massh", "pending");
        await Notice(worker, "s10", "gp", "sent");
        await Notice(worker, "s11", "gp", "sent");

        await Handover(worker, "ha", "complete", 4, "2026-07-15T12:00Z");
        await Handover(worker, "hb", "complete", 12, "2026-08-01T12:00Z");
        await Handover(worker, "hc", "complete", 7, "2026-09-10T12:00Z");
        await Handover(worker, "hd", "complete", 20, "2026-09-30T22:30Z"); // 23:30 in London: in
        await Handover(worker, "he", "complete", 30, "2026-10-01T00:30Z"); // 01:30 in London: out
        await Handover(worker, "hf", "open", 9, null);
        await Handover(worker, "hg", "withdrawn", 2, "2026-08-01T12:00Z");
    }

    private static Guid IdOf(string name) => new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)).AsSpan(0, 16));

    private static Task<int> Step(WorkerHarness worker, string name, string source, string kind, string from, string to, string markers, string? occurredOn, string detectedAt) =>
        worker.QueryScalarAsync<int>(
            """
            INSERT INTO stepupdown.steps (id, source, child_id, kind, from_level, to_level, to_version, record, detected_at, markers, occurred_on, subject)
            VALUES (@id, @source, @childId, @kind, @from, @to, 1, '{}', @detectedAt::timestamptz, @markers::text[], @occurredOn::date, @subject);
            SELECT 1
            """,
            new
            {
                id = IdOf(name), source, childId = $"SC-{name}", kind, from, to, detectedAt, markers, occurredOn,
                subject = kind == "HandoverStalled" ? $"{IdOf(name.Split(':')[0]):N}:{name.Split(':')[1]}" : null,
            });

    private static Task<int> Notice(WorkerHarness worker, string step, string role, string state) =>
        worker.QueryScalarAsync<int>(
            """
            INSERT INTO stepupdown.notifications (id, step_id, recipient_role, state, message_id, created_at, next_attempt_at)
            VALUES (gen_random_uuid(), @stepId, @role, @state, gen_random_uuid()::text, now(), now() + interval '1 year');
            SELECT 1
            """,
            new { stepId = IdOf(step), role, state });

    private static Task<int> Handover(WorkerHarness worker, string name, string state, int workingDays, string? closedAt) =>
        worker.QueryScalarAsync<int>(
            """
            INSERT INTO stepupdown.handovers (id, source, child_id, planned, state, opened_at, started_on, working_days, closed_at)
            VALUES (@id, 'social-care', @childId, true, @state, '2026-06-01T09:00Z', '2026-06-01', @workingDays, @closedAt::timestamptz);
            SELECT 1
            """,
            new { id = IdOf(name), childId = $"SC-{name}", state, workingDays, closedAt });
}
