using Microsoft.Extensions.Time.Testing;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Handovers;

/// <summary>
/// A step down agreed on Monday 2 November 2026, tracked to completion through the real worker,
/// PostgreSQL, the feed double and the SMTP sink. The sweep runs on the dates each test chooses
/// (a <see cref="FakeTimeProvider"/>); detection and delivery run on the real clock.
/// </summary>
public sealed class HandoverLadderTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string ProposedLead = "pat.early@council.example";
    private const string TeamManager = "mary.somerville@council.example";
    private const string AgencyManager = "early.help.manager@example-council.gov.uk";
    private const string HeadOfService = "head.of.service@example-council.gov.uk";
    private const string TacChampion = "tac.champion@example-council.gov.uk";
    private const string Gp = "riverside.practice@nhs.example";
    private const string Massh = "massh@example-council.gov.uk";

    /// <summary>One handover per transaction: every sweep here pages through the open handovers.</summary>
    protected override void Adjust(Dictionary<string, string?> settings)
    {
        settings["Handovers:SweepBatchSize"] = "1";
        StepUpDown.Integration.Tests.Dashboard.DashboardClient.AddAccount(settings, "vera", "viewer password for tests", "viewer");
    }

    internal static Dictionary<string, object?> Agreed(
        long version, string level = "CIN", bool done = false, string? disagreement = null, string? withdrawnOn = null,
        string nhsNumber = Children.ValidNhsNumber, string childId = "SC-1")
    {
        var pat = new Dictionary<string, object?>
        {
            ["id"] = "eh-7", ["name"] = "Pat Early", ["role"] = "Family support worker", ["agency"] = "early-help",
            ["email"] = ProposedLead, ["phone"] = "0100 000 0456",
        };
        var record = Children.Record(childId, level, version, nhsNumber: nhsNumber);
        record["stepDown"] = new Dictionary<string, object?>
        {
            ["agreedOn"] = "2026-11-02",
            ["forum"] = "tac-meeting",
            ["targetLevel"] = "EH",
            ["proposedLeadProfessional"] = pat,
            ["familyConsent"] = true,
            ["smartPlanUpdatedOn"] = done ? "2026-11-12" : null,
            ["planSharedOn"] = done ? "2026-11-13" : null,
            ["disagreement"] = disagreement,
            ["withdrawnOn"] = withdrawnOn,
        };
        if (done)
        {
            record["leadProfessional"] = new Dictionary<string, object?>(pat) { ["acceptedOn"] = "2026-11-16" };
        }

        return record;
    }

    /// <summary>Adopts the child at child in need, then reads the agreed step down: the proposed lead gets the handover pack.</summary>
    private async Task AgreeAsync(Dictionary<string, object?> agreed)
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "CIN", 1));
        Feed.ServePage("c1", "c2", agreed);
        await Worker.PollAsync();
        await Worker.PollAsync();
        (await DeliveredAsync(1)).ShouldHaveSingleItem().To.Single().Address.ShouldBe(ProposedLead);
    }

    /// <summary>Three children, each with a step down agreed: three handovers, three packs.</summary>
    private async Task AgreeThreeAsync()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "CIN", 1), Children.Record("SC-2", "CIN", 1, nhsNumber: "9434765870"), Children.Record("SC-3", "CIN", 1, nhsNumber: "9990000026"));
        Feed.ServePage("c1", "c2", Agreed(2), Agreed(2, childId: "SC-2", nhsNumber: "9434765870"), Agreed(2, childId: "SC-3", nhsNumber: "9990000026"));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await DeliveredAsync(3);
    }

    /// <summary>Runs the sweep as if it were 10:00 on <paramref name="day"/>.</summary>
    private Task<SweepResult> SweepOnAsync(string day) => Worker.SweepOnAsync(day);

    /// <summary>Waits until the ledger has nothing pending and the sink holds <paramref name="total"/> emails; returns them in arrival order.</summary>
    private async Task<IReadOnlyList<ReceivedMail>> DeliveredAsync(int total)
    {
        await Worker.WaitForLedgerSettledAsync();
        var messages = await Mail.WaitForMessagesAsync(total);
        messages.Count.ShouldBe(total);
        return messages;
    }

    private static string[] To(IEnumerable<ReceivedMail> messages) => messages.SelectMany(m => m.To.Select(t => t.Address)).ToArray();

    [Fact]
    public async Task TheLaddersReminder_IsInTheThreadTheHandoverPackStarted()
    {
        await AgreeAsync(Agreed(2));

        await SweepOnAsync("2026-11-05");
        var delivered = await DeliveredAsync(2);

        var thread = delivered[0].Header("in-reply-to").ShouldNotBeNull();
        delivered[1].Subject.ShouldStartWith("Reminder: step down handover not yet complete");
        delivered[1].Header("in-reply-to").ShouldBe(thread, "the sweep's step names its handover (steps.handover_id), so its mail joins the pack's thread");
    }

    [Fact]
    public async Task NoAcceptance_ReminderThenStage1ThenStage2_ThenAcceptanceCompletesAndTellsTheGpAndTheMassh()
    {
        await AgreeAsync(Agreed(2));

        (await SweepOnAsync("2026-11-04")).Escalated.ShouldBe(0, "day 2: nothing is due");
        var thread = (await DeliveredAsync(1))[0].Header("in-reply-to");
        thread.ShouldNotBeNull().ShouldMatch("^<handover-[0-9a-f]{32}@.+>$", "the pack starts the handover's thread");

        await SweepOnAsync("2026-11-05");
        var reminder = (await DeliveredAsync(2))[1];
        reminder.To.Single().Address.ShouldBe(ProposedLead);
        reminder.Subject.ShouldStartWith("Reminder: step down handover not yet complete, 3 working days");
        reminder.Text.ShouldNotBeNull().ShouldContain("New lead professional has accepted the role");
        reminder.Text.ShouldContain("SMART plan updated");
        reminder.Text.ShouldNotContain("Family consent recorded", customMessage: "consent is recorded, so it is not missing");
        reminder.Text.ShouldContain("on 9 November 2026 it goes to the ladder's Stage 1: team manager", customMessage: "5 working days after Monday 2 November");

        await SweepOnAsync("2026-11-09");
        var stage1 = (await DeliveredAsync(3))[2];
        stage1.To.Single().Address.ShouldBe(TeamManager);
        stage1.Subject.ShouldStartWith("Stalled step down handover, 5 working days: Stage 1: team manager");
        stage1.Text.ShouldNotBeNull().ShouldContain("GP notified of the current plan");
        stage1.Text.ShouldContain("on 16 November 2026 this goes to the ladder's Stage 2");

        // A re-run and two instances sweeping at once send nothing more.
        await Task.WhenAll(SweepOnAsync("2026-11-09"), SweepOnAsync("2026-11-09"), SweepOnAsync("2026-11-10"));
        await DeliveredAsync(3);

        await SweepOnAsync("2026-11-16");
        var stage2 = (await DeliveredAsync(5)).Skip(3).ToArray();
        To(stage2).ShouldBe([TeamManager, AgencyManager], ignoreOrder: true);
        stage2.ShouldAllBe(m => m.Subject.StartsWith("Stalled step down handover, 10 working days: Stage 2", StringComparison.Ordinal));

        // Pat accepts, the plan is updated and shared, and the case system records early help:
        // the GP is told of the current plan at the step down, which completes the checklist
        // (and the MASSH hears of the change of lead, as for any).
        Feed.ServePage("c2", "c3", Agreed(3, level: "EH", done: true));
        await Worker.PollAsync();
        var stepDown = (await DeliveredAsync(7)).Skip(5).ToArray();
        To(stepDown).ShouldBe([Gp, Massh], ignoreOrder: true);
        stepDown.Single(m => m.To[0].Address == Gp).Subject.ShouldStartWith("Step down to Early help");

        (await SweepOnAsync("2026-11-17")).Completed.ShouldBe(1);
        var completion = (await DeliveredAsync(10)).Skip(7).ToArray();
        To(completion).ShouldBe([Gp, ProposedLead, Massh], ignoreOrder: true);
        var toGp = completion.Single(m => m.To[0].Address == Gp);
        toGp.Subject.ShouldStartWith("Step down complete, new lead professional");
        toGp.Text.ShouldNotBeNull().ShouldContain("Pat Early");
        new[] { reminder, stage1 }.Concat(stage2).Concat(completion).ShouldAllBe(m => m.Header("in-reply-to") == thread && m.Header("references") == thread);
        stepDown.ShouldAllBe(m => m.Header("in-reply-to") == null, "the level's step down is a notice of its own");
        completion.Single(m => m.To[0].Address == Massh).Text.ShouldNotBeNull().ShouldContain("The handover is complete after 11 working days");

        (await SweepOnAsync("2026-11-23")).Reviewed.ShouldBe(0, "the ladder stopped: no open handover is left");
        await DeliveredAsync(10);
        var handover = (await Worker.QueryAsync<(string State, int WorkingDays)>(
            "SELECT state, working_days FROM stepupdown.handovers")).ShouldHaveSingleItem();
        handover.ShouldBe(("complete", 11));
    }

    [Fact]
    public async Task GpNoticeWithheldForAnInvalidNhsNumber_KeepsTheHandoverOpen_UntilTheNumberPassesAndTheGpHasThePlan()
    {
        const string invalid = "9434765918";
        Feed.ServePage(null, "c1", Children.Record("SC-1", "CIN", 1, nhsNumber: invalid));
        Feed.ServePage("c1", "c2", Agreed(2, nhsNumber: invalid));
        Feed.ServePage("c2", "c3", Agreed(3, level: "EH", done: true, nhsNumber: invalid));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.PollAsync();
        (await DeliveredAsync(3)).ShouldNotContain(m => m.To[0].Address == Gp, "the pack, the MASSH's change of lead and its request to match the number");

        var stalled = await SweepOnAsync("2026-11-17");
        var escalation = (await DeliveredAsync(5)).Skip(3).ToArray();

        Feed.ServePage("c3", "c4", Agreed(4, level: "EH", done: true));
        await Worker.PollAsync();
        var toGp = (await DeliveredAsync(6))[5];
        var completed = await SweepOnAsync("2026-11-18");
        var completion = (await DeliveredAsync(9)).Skip(6).ToArray();

        stalled.Completed.ShouldBe(0);
        escalation.ShouldAllBe(m => m.Text!.Contains("GP notified of the current plan", StringComparison.Ordinal));
        toGp.To.Single().Address.ShouldBe(Gp);
        toGp.Subject.ShouldStartWith("Current plan (Early help), NHS number now confirmed");
        completed.Completed.ShouldBe(1);
        To(completion).ShouldBe([Gp, ProposedLead, Massh], ignoreOrder: true);
    }

    [Fact]
    public async Task WithTheOutbox_TheGpNoticeIsWrittenNotSent_AndNeverCountsAsTheGpTold_SoTheHandoverStaysOpen()
    {
        var outbox = Directory.CreateTempSubdirectory("sud-outbox-").FullName;
        await using var outboxWorker = await WorkerHarness.StartAsync(await Postgres.CreateDatabaseAsync(), Feed.Url, Mail, settings =>
        {
            settings.Remove("Mail:Smtp:Host");
            settings["Mail:UseOutbox"] = "true";
            settings["Mail:OutboxDirectory"] = outbox;
        });
        Feed.ServePage(null, "c1", Children.Record("SC-1", "CIN", 1));
        Feed.ServePage("c1", "c2", Agreed(2));
        Feed.ServePage("c2", "c3", Agreed(3, level: "EH", done: true));
        for (var poll = 0; poll < 3; poll++)
        {
            await outboxWorker.PollAsync();
        }

        await outboxWorker.WaitForLedgerSettledAsync();
        var swept = await outboxWorker.SweepOnAsync("2026-11-18");
        await outboxWorker.WaitForLedgerSettledAsync();

        var states = await outboxWorker.QueryAsync<(string Role, string State)>("SELECT recipient_role, state FROM stepupdown.notifications");
        states.ShouldContain(("gp", "written"));
        states.ShouldNotContain(row => row.State == "sent", "nobody received a file in a folder");
        swept.Completed.ShouldBe(0, "every other item is done: only the GP's notice is missing");
        (await outboxWorker.QueryScalarAsync<string>("SELECT state FROM stepupdown.handovers")).ShouldBe("open");
        Directory.GetFiles(outbox, "*.eml").Length.ShouldBe(states.Count);
        Directory.Delete(outbox, recursive: true);
    }

    [Fact]
    public async Task ThreeStalledHandovers_AreEachEscalatedOnce_ThroughOneSweepsBatches()
    {
        await AgreeThreeAsync();

        var sweep = await SweepOnAsync("2026-11-09");
        var again = await SweepOnAsync("2026-11-09");

        (sweep.Reviewed, sweep.Escalated).ShouldBe((3, 3));
        again.Escalated.ShouldBe(0);
        To((await DeliveredAsync(6)).Skip(3)).ShouldBe([TeamManager, TeamManager, TeamManager]);
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.handovers WHERE last_stage = 1")).ShouldBe(3, "stage 1, the team manager");
    }

    [Fact]
    public async Task OneHandoverThatThrows_IsSetAsideWithItsError_TheOthersAreEscalated_AndTheSweepFailsVisibly()
    {
        await AgreeThreeAsync();
        // The middle handover's opening step names a level the continuum no longer has (a council edited it).
        await Worker.QueryScalarAsync<int>(
            "UPDATE stepupdown.steps SET from_level = 'retired-level' WHERE id = (SELECT id FROM stepupdown.handovers WHERE child_id = 'SC-2'); SELECT 1");

        var failure = await Should.ThrowAsync<HandoverReviewFailedException>(() => SweepOnAsync("2026-11-09"));

        failure.Message.ShouldStartWith("1 handover(s) could not be reviewed");
        To((await DeliveredAsync(5)).Skip(3)).ShouldBe([TeamManager, TeamManager]);
        (await Worker.QueryAsync<(string ChildId, int? Stage, string? Error)>(
                "SELECT child_id, last_stage, review_error FROM stepupdown.handovers ORDER BY child_id"))
            .ShouldBe([("SC-1", 1, null), ("SC-2", null, "KeyNotFoundException"), ("SC-3", 1, null)]);
        using var viewer = new StepUpDown.Integration.Tests.Dashboard.DashboardClient(Worker.BaseAddress);
        await viewer.SignInAsync("vera", "viewer password for tests");
        var page = await (await viewer.GetPageAsync("/hangfire/handovers")).Content.ReadAsStringAsync();
        page.ShouldContain("1 could not be reviewed at the last sweep");
        page.ShouldContain("NOT REVIEWED: KeyNotFoundException");
    }

    [Fact]
    public async Task AHandoverWhoseDateIsOutsideTheCalendar_IsSetAsideWithItsError_AndTheOthersAreEscalated()
    {
        await AgreeThreeAsync();
        // A typo stored before dates were checked at read: 2002 for 2026, long before the shipped calendar.
        await Worker.QueryScalarAsync<int>("UPDATE stepupdown.handovers SET started_on = '2002-03-01' WHERE child_id = 'SC-2'; SELECT 1");

        await Should.ThrowAsync<HandoverReviewFailedException>(() => SweepOnAsync("2026-11-09"));

        To((await DeliveredAsync(5)).Skip(3)).ShouldBe([TeamManager, TeamManager], "the others' ladders run");
        var rows = await Worker.QueryAsync<(string ChildId, int? Stage, string? Error)>("SELECT child_id, last_stage, review_error FROM stepupdown.handovers ORDER BY child_id");
        rows.Select(r => (r.ChildId, r.Stage)).ShouldBe([("SC-1", 1), ("SC-2", null), ("SC-3", 1)]);
        rows[1].Error.ShouldNotBeNull().ShouldStartWith("a date of this handover is outside the bank holiday calendar");
    }

    [Fact]
    public async Task Withdrawn_StopsTheLadder()
    {
        await AgreeAsync(Agreed(2));
        await SweepOnAsync("2026-11-05");
        await DeliveredAsync(2);

        Feed.ServePage("c2", "c3", Agreed(3, withdrawnOn: "2026-11-06"));
        await Worker.PollAsync();
        (await SweepOnAsync("2026-11-09")).Withdrawn.ShouldBe(1);
        await SweepOnAsync("2026-11-23");

        await DeliveredAsync(2);
        (await Worker.QueryScalarAsync<string>("SELECT state || ': ' || closed_reason FROM stepupdown.handovers"))
            .ShouldBe("withdrawn: the step down was withdrawn in the case system");
    }

    [Fact]
    public async Task Disagreement_GoesStraightToTheAgencyManagerStage()
    {
        await AgreeAsync(Agreed(2, disagreement: "Early help reluctant to take the lead role"));

        await SweepOnAsync("2026-11-03");

        var escalation = (await DeliveredAsync(3)).Skip(1).ToArray();
        To(escalation).ShouldBe([TeamManager, AgencyManager], ignoreOrder: true);
        escalation[0].Text.ShouldNotBeNull().ShouldContain("A disagreement is recorded: Early help reluctant to take the lead role");
    }

    [Fact]
    public async Task DetectedLate_SendsOnlyTheHighestDueStage()
    {
        await AgreeAsync(Agreed(2));

        await SweepOnAsync("2026-11-24");

        var escalation = (await DeliveredAsync(3)).Skip(1).ToArray();
        To(escalation).ShouldBe([HeadOfService, TacChampion], ignoreOrder: true);
        escalation.ShouldAllBe(m => m.Subject.Contains("16 working days: Stage 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StalledPastTheLastStage_IsSentAgainEveryFiveWorkingDays_UntilItCompletes()
    {
        await AgreeAsync(Agreed(2));
        await SweepOnAsync("2026-11-24"); // day 16: stage 3
        await DeliveredAsync(3);

        await SweepOnAsync("2026-11-30"); // four working days after stage 3
        await DeliveredAsync(3);
        await SweepOnAsync("2026-12-01"); // five
        var repeat = (await DeliveredAsync(5)).Skip(3).ToArray();
        To(repeat).ShouldBe([HeadOfService, TacChampion], ignoreOrder: true);
        repeat.ShouldAllBe(m => m.Subject.Contains("21 working days: Stage 3", StringComparison.Ordinal));

        await SweepOnAsync("2026-12-01");
        await SweepOnAsync("2026-12-07");
        await DeliveredAsync(5);
        await SweepOnAsync("2026-12-08");
        await DeliveredAsync(7);
    }

    [Fact]
    public async Task UnplannedStepDown_RemindsTheLeadOnTheRecord_OfWhatIsMissing()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "CP", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CIN", 2)); // updated Friday 20 November, no stepDown
        await Worker.PollAsync();
        await Worker.PollAsync();
        To(await DeliveredAsync(2)).ShouldBe([Gp, Massh], ignoreOrder: true);

        await SweepOnAsync("2026-11-25");

        var reminder = (await DeliveredAsync(3))[2];
        reminder.To.Single().Address.ShouldBe("grace.hopper@council.example");
        reminder.Text.ShouldNotBeNull().ShouldContain("without an agreed step down");
        reminder.Text.ShouldContain("Step down agreed at a meeting");
        reminder.Text.ShouldContain("Family consent recorded");
        reminder.Text.ShouldNotContain("GP notified", customMessage: "the GP had the step down notice at the fall");
    }

    [Fact]
    public async Task PastTheBankHolidayCalendar_FailsClosedAndSendsNothing()
    {
        await AgreeAsync(Agreed(2));

        var failure = await Should.ThrowAsync<CalendarExhaustedException>(() => SweepOnAsync("2028-01-04"));

        failure.Message.ShouldContain("bank-holidays.json");
        await DeliveredAsync(1);
        (await Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.handovers")).ShouldBe("open");
    }
}
