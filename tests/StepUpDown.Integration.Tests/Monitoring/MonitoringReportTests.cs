using StepUpDown.Domain.Monitoring;
using StepUpDown.Integration.Monitoring;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Worker;

namespace StepUpDown.Integration.Tests.Monitoring;

/// <summary>
/// The quarterly report computed on real PostgreSQL from a seeded quarter (July to September
/// 2026, the council in Europe/London), against figures worked out by hand in the comments.
/// Rows just outside the quarter, and rows dated only by their UTC detection time on either
/// side of a midnight in British Summer Time, check the period's edges.
/// </summary>
public sealed class MonitoringReportTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private static readonly ReportPeriod Quarter = ReportPeriod.QuarterOf(new DateOnly(2026, 8, 1));

    protected override void Adjust(Dictionary<string, string?> settings) => settings["Jobs:RunServer"] = "false";

    private async Task SeedAsync()
    {
        var eh = "early-help";
        var sc = WorkerHarness.Source;
        //       name  source kind                from               to                 markers                 occurred_on   detected_at (UTC)
        await Step("s1", sc, "StepUp", "universal", "early-help", "{}", "2026-07-01", "2026-07-01T09:00Z");
        await Step("s2", sc, "StepUp", "early-help", "child-in-need", "{ReReferral}", "2026-07-08", "2026-07-08T09:00Z");
        await Step("s3", eh, "StepUp", "universal", "early-help", "{InvalidNhsNumber}", "2026-09-30", "2026-10-01T09:00Z");
        await Step("s4", sc, "StepDown", "child-in-need", "early-help", "{}", "2026-08-03", "2026-08-03T09:00Z");
        await Step("s5", sc, "StepDown", "child-in-need", "early-help", "{Unplanned}", "2026-08-04", "2026-08-04T09:00Z");
        await Step("s6", eh, "StepDown", "early-help", "universal", "{RoutineClosure}", "2026-08-05", "2026-08-05T09:00Z");
        await Step("s7", eh, "StepOut", "early-help", "early-help", "{NonEngagement}", "2026-08-10", "2026-08-10T09:00Z");
        await Step("s8", eh, "StepOut", "early-help", "early-help", "{}", "2026-08-11", "2026-08-11T09:00Z");
        await Step("h1:0", sc, "HandoverStalled", "early-help", "early-help", "{}", "2026-08-20", "2026-08-20T09:00Z");
        await Step("h1:1", sc, "HandoverStalled", "early-help", "early-help", "{}", "2026-08-27", "2026-08-27T09:00Z");
        await Step("h2:0", sc, "HandoverStalled", "early-help", "early-help", "{}", "2026-09-01", "2026-09-01T09:00Z");
        await Step("s9", sc, "StepUp", "universal", "early-help", "{}", null, "2026-09-30T23:30Z"); // 1 Oct 00:30 in London: out
        await Step("s10", sc, "StepUp", "universal", "early-help", "{}", null, "2026-06-30T23:30Z"); // 1 Jul 00:30 in London: in
        await Step("s11", sc, "StepUp", "universal", "early-help", "{}", "2026-06-30", "2026-06-30T09:00Z"); // out
        await Step("s12", sc, "StepDown", "child-in-need", "early-help", "{}", "2026-10-01", "2026-10-01T09:00Z"); // out

        await Notice("s1", "gp", "sent");
        await Notice("s1", "massh", "sent");
        await Notice("s2", "gp", "failed");
        await Notice("s2", "massh", "sent");
        await Notice("s3", "massh-nhs-match", "sent");
        await Notice("s4", "gp", "withheld");
        await Notice("s4", "massh", "pending");
        await Notice("s10", "gp", "sent");
        await Notice("s11", "gp", "sent");

        await Handover("ha", "complete", 4, "2026-07-15T12:00Z");
        await Handover("hb", "complete", 12, "2026-08-01T12:00Z");
        await Handover("hc", "complete", 7, "2026-09-10T12:00Z");
        await Handover("hd", "complete", 20, "2026-09-30T22:30Z"); // 23:30 in London: in
        await Handover("he", "complete", 30, "2026-10-01T00:30Z"); // 01:30 in London: out
        await Handover("hf", "open", 9, null);
        await Handover("hg", "withdrawn", 2, "2026-08-01T12:00Z");
    }

    [Fact]
    public async Task Report_ForASeededQuarter_MatchesTheFiguresWorkedOutByHand()
    {
        await SeedAsync();

        var report = await Worker.Get<MonitoringReports>().BuildAsync(Quarter.From, Quarter.To, CancellationToken.None);

        report.Steps.ShouldContain(new StepCount("StepUp", WorkerHarness.Source, "universal", "early-help", 2), "s1 and s10");
        report.Steps.ShouldContain(new StepCount("StepDown", WorkerHarness.Source, "child-in-need", "early-help", 2), "s4 and s5; s12 is in October");
        report.Steps.Sum(s => s.Count).ShouldBe(12, "s1-s8, three stalls, s10");
        report.StepsPerWeek.ShouldContain(new WeekCount(new DateOnly(2026, 6, 29), "StepUp", 2), "s1 and s10, in the week of Monday 29 June");
        report.StepDowns.ShouldBe(new StepDownSplit(Planned: 1, Unplanned: 1, RoutineClosures: 1));
        report.ReReferrals.ShouldBe(new Share(1, 4), "s2, of s1, s2, s3 and s10");
        report.NonEngagementStepOuts.ShouldBe(new Share(1, 2));
        report.Stalled.ShouldBe([new StageCount(0, "Reminder", 1), new StageCount(1, "Stage 1: team manager", 1)], "h2 had its reminder; h1 went on to the team manager");
        report.Durations.Completed.ShouldBe(4, "4, 12, 7 and 20 working days; 30 completed in October");
        report.Durations.Median.ShouldBe(9.5);
        report.Durations.Percentile90.ShouldNotBeNull().ShouldBe(17.6, 1e-9, "12 + 0.7 x (20 - 12), as PERCENTILE.INC");
        report.Durations.Buckets.Select(b => b.Count).ShouldBe([1, 1, 1, 1, 0]);
        report.Notices.ShouldBe(
        [
            new NoticeCount("gp", "failed", 1), new NoticeCount("gp", "sent", 2), new NoticeCount("gp", "withheld", 1),
            new NoticeCount("massh", "pending", 1), new NoticeCount("massh", "sent", 2), new NoticeCount("massh-nhs-match", "sent", 1),
        ]);
        report.NhsMatch.ShouldBe(new Share(3, 5), "GP told at s1, s2, s10; not at s3 (no usable number) nor s4 (withheld)");
        report.NhsMatch.Rate.ShouldBe(0.6);
    }

    [Fact]
    public async Task ReportCommand_WritesTheCsv_WithTheSameFigures_AndNoChildIds()
    {
        await SeedAsync();
        var file = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():N}.csv");

        var exit = await Commands.TryRunAsync(["report", "--from", "2026-07-01", "--to", "2026-09-30", "--csv", file, $"--ConnectionStrings:StepUpDown={Worker.ConnectionString}"]);

        exit.ShouldBe(0);
        var lines = await File.ReadAllLinesAsync(file);
        File.Delete(file);
        lines[0].ShouldBe("period_from,period_to,figure,kind,source,from_level,to_level,recipient_role,state,stage,value");
        lines.ShouldContain("2026-07-01,2026-09-30,steps,StepUp,social-care,universal,early-help,,,,2");
        lines.ShouldContain("2026-07-01,2026-09-30,handover_working_days_90th_percentile,,,,,,,,17.6");
        lines.ShouldContain("2026-07-01,2026-09-30,nhs_number_matched_rate,,,,,,,,0.6");
        lines.ShouldContain("2026-07-01,2026-09-30,handovers_stalled,,,,,,,Stage 1: team manager,1");
        lines.ShouldContain("2026-07-01,2026-09-30,notices,,,,,gp,withheld,,1");
        string.Join('\n', lines).ShouldNotContain("SC-", Case.Sensitive, "the report names no child");
    }

    [Fact]
    public async Task ReportCommand_RefusesAPeriodThatEndsBeforeItStarts()
    {
        (await Commands.TryRunAsync(["report", "--from", "2026-09-30", "--to", "2026-07-01", "--csv", "-"])).ShouldBe(2);
        (await Commands.TryRunAsync(["report", "--from", "30/09/2026", "--to", "2026-10-01", "--csv", "-"])).ShouldBe(2);
    }

    private static Guid IdOf(string name) => new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)).AsSpan(0, 16));

    private Task<int> Step(string name, string source, string kind, string from, string to, string markers, string? occurredOn, string detectedAt) =>
        Worker.QueryScalarAsync<int>(
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

    private Task<int> Notice(string step, string role, string state) =>
        Worker.QueryScalarAsync<int>(
            """
            INSERT INTO stepupdown.notifications (id, step_id, recipient_role, state, message_id, created_at, job_id)
            VALUES (gen_random_uuid(), @stepId, @role, @state, gen_random_uuid()::text, now(), 'seeded');
            SELECT 1
            """,
            new { stepId = IdOf(step), role, state });

    private Task<int> Handover(string name, string state, int workingDays, string? closedAt) =>
        Worker.QueryScalarAsync<int>(
            """
            INSERT INTO stepupdown.handovers (id, source, child_id, planned, state, opened_at, started_on, working_days, closed_at)
            VALUES (@id, 'social-care', @childId, true, @state, '2026-06-01T09:00Z', '2026-06-01', @workingDays, @closedAt::timestamptz);
            SELECT 1
            """,
            new { id = IdOf(name), childId = $"SC-{name}", state, workingDays, closedAt });
}
