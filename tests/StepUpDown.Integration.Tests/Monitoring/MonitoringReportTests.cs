using StepUpDown.Domain.Monitoring;
using StepUpDown.Integration.Monitoring;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Worker;

namespace StepUpDown.Integration.Tests.Monitoring;

/// <summary>
/// The quarterly report computed on real PostgreSQL from <see cref="SeededQuarter"/>, against
/// figures worked out by hand here from the seed's rows (s1-s12 steps, h1-h2 stalls, ha-hg handovers).
/// </summary>
public sealed class MonitoringReportTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private static readonly ReportPeriod Quarter = ReportPeriod.QuarterOf(new DateOnly(2026, 8, 1));

    protected override void Adjust(Dictionary<string, string?> settings) => settings["Jobs:RunServer"] = "false";

    [Fact]
    public async Task Report_ForASeededQuarter_MatchesTheFiguresWorkedOutByHand()
    {
        await SeededQuarter.SeedAsync(Worker);

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
    public async Task Acceptances_CountThoseByReply_AndTheMedianWorkingDaysFromAgreementToTheFirstWordOfAcceptance()
    {
        // Agreed on Monday 6 July 2026 (no bank holiday in July): A accepted by reply on the 8th (2
        // working days), recorded on the 10th; B recorded on the 13th (5); C by reply in October; D not at all.
        await Worker.QueryScalarAsync<int>(
            """
            INSERT INTO stepupdown.handovers (id, source, child_id, planned, state, opened_at, started_on, accepted_by_reply_at, agreement)
            VALUES (gen_random_uuid(), 'social-care', 'SC-A', true, 'open', '2026-07-06T09:00Z', '2026-07-06', '2026-07-08T10:00Z',
                    '{"proposedLeadProfessional": {"name": "A", "acceptedOn": "2026-07-10"}}'),
                   (gen_random_uuid(), 'social-care', 'SC-B', true, 'complete', '2026-07-06T09:00Z', '2026-07-06', NULL,
                    '{"proposedLeadProfessional": {"name": "B", "acceptedOn": "2026-07-13"}}'),
                   (gen_random_uuid(), 'social-care', 'SC-C', true, 'open', '2026-07-06T09:00Z', '2026-07-06', '2026-10-05T10:00Z', NULL),
                   (gen_random_uuid(), 'social-care', 'SC-D', true, 'open', '2026-07-06T09:00Z', '2026-07-06', NULL,
                    '{"proposedLeadProfessional": {"name": "D"}}');
            SELECT 1
            """);

        var report = await Worker.Get<MonitoringReports>().BuildAsync(Quarter.From, Quarter.To, CancellationToken.None);

        report.Acceptances.ShouldNotBeNull().ByReply.ShouldBe(new Share(1, 2), "A by reply, of A and B; C accepted in October, D never");
        report.Acceptances.MedianWorkingDays.ShouldBe(3.5, "A's 2 working days (its reply came before its record) and B's 5");
    }

    [Fact]
    public async Task ReportCommand_WritesTheCsv_WithTheSameFigures_AndNoChildIds()
    {
        await SeededQuarter.SeedAsync(Worker);
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
        (await Commands.TryRunAsync(["report", "--from", "2026-09-30", "--to", "2026-07-01", "--csv", "report.csv"])).ShouldBe(2);
        (await Commands.TryRunAsync(["report", "--from", "30/09/2026", "--to", "2026-10-01", "--csv", "report.csv"])).ShouldBe(2);
    }
}
