using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Monitoring;
using StepUpDown.Integration.Tests.Dashboard;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Journeys;

/// <summary>
/// The journeys of design.md "Journeys across systems", as councils run them: social care and
/// early help report one child's journey in either order, through the real worker, PostgreSQL,
/// two feed doubles and the SMTP sink. The sweep runs on the dates each test chooses.
/// </summary>
public sealed class JourneyTests(PostgresFixture postgres, MailDevFixture mail) : TwoSourceTest(postgres, mail)
{
    private const string Gp = "riverside.practice@nhs.example";
    private const string NewGp = "hillview.surgery@nhs.example";
    private const string Massh = "massh@example-council.gov.uk";
    private const string Pat = "pat.early@council.example";
    private const string Sam = "sam.early@council.example";
    private const string ViewerPassword = "viewer password for the audit trail";

    protected override void Adjust(Dictionary<string, string?> settings) => DashboardClient.AddAccount(settings, "vera", ViewerPassword, "viewer");

    private static Dictionary<string, object?> Professional(string id, string name, string email, string? acceptedOn = null) => new()
    {
        ["id"] = id, ["name"] = name, ["role"] = "Family support worker", ["agency"] = "early-help", ["email"] = email,
        ["phone"] = "0100 000 0456", ["acceptedOn"] = acceptedOn,
    };

    /// <summary>Social care's record of SC-1 at child in need with a step down to early help agreed on Wednesday 18 November 2026.</summary>
    private static Dictionary<string, object?> Agreed(long version, string status = "open", Dictionary<string, object?>? proposed = null)
    {
        var record = Children.Record("SC-1", "CIN", version, status: status);
        record["plan"] = new { type = "cin", summary = "CIN plan: weekly social work visits." };
        record["stepDown"] = new Dictionary<string, object?>
        {
            ["agreedOn"] = "2026-11-18", ["forum"] = "plan-review", ["targetLevel"] = "EH",
            ["proposedLeadProfessional"] = proposed ?? Professional("eh-7", "Pat Early", Pat),
            ["familyConsent"] = true, ["smartPlanUpdatedOn"] = "2026-11-18", ["planSharedOn"] = "2026-11-19",
        };
        return record;
    }

    /// <summary>Early help's record of the same child (matched by NHS number), led by <paramref name="lead"/>.</summary>
    private static Dictionary<string, object?> EarlyHelpRecord(long version, Dictionary<string, object?> lead, string status = "open", string nhsNumber = Children.ValidNhsNumber)
    {
        var record = Children.Record("EH-7", "EH", version, status: status, nhsNumber: nhsNumber);
        record["leadProfessional"] = lead;
        record["allocatedTeam"] = new { name = "Early help team", managerName = "Erin Manager", managerEmail = "erin.manager@council.example" };
        record["plan"] = new { type = "tac", summary = "TAC family plan: parenting support and school attendance." };
        return record;
    }

    private async Task<IReadOnlyList<ReceivedMail>> DeliveredAsync()
    {
        await Worker.WaitForLedgerSettledAsync();
        var sent = await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'sent'");
        return await Mail.WaitForMessagesAsync((int)sent);
    }

    private static List<ReceivedMail> To(IEnumerable<ReceivedMail> messages, string address) =>
        messages.Where(m => m.To.Any(t => t.Address == address)).ToList();

    private Task<SweepResult> SweepOnAsync(string day) => Worker.SweepOnAsync(day);

    private Task<IReadOnlyList<(string Source, string Kind, string From, string To, string Markers)>> LevelStepsAsync() =>
        Worker.QueryAsync<(string, string, string, string, string)>(
            "SELECT source, kind, from_level, to_level, array_to_string(markers, ',') FROM stepupdown.steps WHERE kind IN ('StepUp', 'StepDown') ORDER BY detected_at");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StepDownAcrossTwoSystems_EitherOrder_IsOneStepDown_TheGpHearsOfTheEarlyHelpLead_AndTheHandoverCompletes(bool socialCareClosesFirst)
    {
        await AdoptAsync([Children.Record("SC-1", "CIN", 1)], []);
        SocialCareFeed.ServePage("s1", "s2", Agreed(2));
        await Worker.PollAsync();
        var closed = Agreed(3, status: "closed");
        var earlyHelp = EarlyHelpRecord(1, Professional("eh-7", "Pat Early", Pat, acceptedOn: "2026-11-19"));

        if (socialCareClosesFirst)
        {
            SocialCareFeed.ServePage("s2", "s3", closed);
            await Worker.PollAsync();
            (await LevelStepsAsync()).ShouldBeEmpty("the fall to universal is held while the early-help record may still come");
            EarlyHelpFeed.ServePage("e1", "e2", earlyHelp);
            await Worker.PollAsync(EarlyHelp);
        }
        else
        {
            EarlyHelpFeed.ServePage("e1", "e2", earlyHelp);
            await Worker.PollAsync(EarlyHelp);
            SocialCareFeed.ServePage("s2", "s3", closed);
            await Worker.PollAsync();
        }

        (await LevelStepsAsync()).Select(s => (s.Kind, s.From, s.To, s.Markers))
            .ShouldBe([("StepDown", "child-in-need", "early-help", "")], "one planned step down: no step up, no re-referral");
        var toGp = To(await DeliveredAsync(), Gp).ShouldHaveSingleItem();
        toGp.Subject.ShouldStartWith("Step down to Early help");
        toGp.Text.ShouldNotBeNull().ShouldContain("Pat Early");
        toGp.Text.ShouldContain("TAC family plan: parenting support and school attendance.");
        toGp.Text.ShouldNotContain("Grace Hopper", customMessage: "the departing social worker no longer leads");
        toGp.Text.ShouldNotContain("CIN plan");

        (await SweepOnAsync("2026-11-20")).Completed.ShouldBe(1);
        (await Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.handovers")).ShouldBe("complete");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AcceptanceRecordedOnlyOnTheStepDown_TellsTheMasshWhoLeads_CompletesTheHandover_AndTheGpOfTheChildNowIsTold(bool socialCareClosesFirst)
    {
        await AdoptAsync([Children.Record("SC-1", "CIN", 1)], []);
        SocialCareFeed.ServePage("s1", "s2", Agreed(2));
        await Worker.PollAsync();
        // Early help holds the child at a new practice, its lead not yet marked as accepted there.
        var earlyHelp = EarlyHelpRecord(1, Professional("eh-7", "Pat Early", Pat), nhsNumber: Children.ValidNhsNumber);
        earlyHelp["gpPractice"] = new { odsCode = "Y00002", name = "Hillview Surgery (fictional)" };
        earlyHelp["updatedAt"] = "2026-11-20T10:00:00Z";
        EarlyHelpFeed.ServePage("e1", "e2", earlyHelp);
        // Social care records the acceptance where the contract puts it, and closes.
        SocialCareFeed.ServePage("s2", "s3", Agreed(3, status: "closed", proposed: Professional("eh-7", "Pat Early", Pat, acceptedOn: "2026-11-19")));
        if (socialCareClosesFirst)
        {
            await Worker.PollAsync();
            await Worker.PollAsync(EarlyHelp);
        }
        else
        {
            await Worker.PollAsync(EarlyHelp);
            await Worker.PollAsync();
        }

        var massh = To(await DeliveredAsync(), Massh);
        massh.ShouldContain(m => m.Subject.Contains("Lead professional accepted", StringComparison.Ordinal) && m.Text!.Contains("Pat Early", StringComparison.Ordinal),
            customMessage: string.Join("\n", massh.Select(m => m.Subject)));
        (await SweepOnAsync("2026-11-20")).Completed.ShouldBe(1, "the acceptance on the step down satisfies the checklist");
        var delivered = await DeliveredAsync();

        To(delivered, Gp).ShouldBeEmpty("the practice only the closed record still names is not the child's");
        To(delivered, NewGp).Select(m => m.Subject[..m.Subject.IndexOf(' ', 5)]).ShouldBe(["Step down", "Step down"], ignoreOrder: true);
    }

    [Fact]
    public async Task AfterAStepDownAcrossTwoSystems_TheAuditTrail_ByEitherIdOrTheGpsReference_ShowsEveryStepNoticeAndTheHandover_NamingNobody()
    {
        await AdoptAsync([Children.Record("SC-1", "CIN", 1)], []);
        SocialCareFeed.ServePage("s1", "s2", Agreed(2));
        await Worker.PollAsync();
        EarlyHelpFeed.ServePage("e1", "e2", EarlyHelpRecord(1, Professional("eh-7", "Pat Early", Pat, acceptedOn: "2026-11-19")));
        await Worker.PollAsync(EarlyHelp);
        SocialCareFeed.ServePage("s2", "s3", Agreed(3, status: "closed"));
        await Worker.PollAsync();
        var reference = System.Text.RegularExpressions.Regex.Match(To(await DeliveredAsync(), Gp).ShouldHaveSingleItem().Subject, @"ref (\w+)\)").Groups[1].Value;
        (await SweepOnAsync("2026-11-20")).Completed.ShouldBe(1);

        var byEarlyHelpId = await Worker.Get<AuditTrails>().FindAsync(EarlyHelp, "EH-7", null, CancellationToken.None);
        using var viewer = new DashboardClient(Worker.BaseAddress);
        await viewer.SignInAsync("vera", ViewerPassword);
        var page = await (await viewer.GetPageAsync($"/hangfire/audit?reference={reference.ToLowerInvariant()}")).Content.ReadAsStringAsync();

        byEarlyHelpId.ShouldNotBeNull();
        byEarlyHelpId.Records.Select(r => (r.Source, r.ChildId, r.Open)).ShouldBe([(EarlyHelp, "EH-7", true), ("social-care", "SC-1", false)], ignoreOrder: true);
        var events = byEarlyHelpId.Events.Select(e => $"{e.ChildId} {e.What}").ToList();
        events.ShouldContain("SC-1 step: StepDownAgreed child-in-need -> child-in-need on 2026-11-20", customMessage: string.Join("\n", events));
        events.ShouldContain(e => e.StartsWith("SC-1 step: StepDown child-in-need -> early-help", StringComparison.Ordinal));
        events.ShouldContain("SC-1 notice to gp (gp-step-notice)");
        events.ShouldContain("SC-1 handover opened (agreed)");
        events.ShouldContain("SC-1 handover closed"); // at the sweep's chosen date, so not in order with the rest here
        events.ShouldContain("EH-7 step: LeadProfessionalAccepted child-in-need -> child-in-need on 2026-11-20");
        byEarlyHelpId.Events.Select(e => e.At).ShouldBeInOrder();
        byEarlyHelpId.Handovers.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            h => h.State.ShouldBe("complete"), h => h.Missing.ShouldBeEmpty(), h => h.Planned.ShouldBeTrue());
        page.ShouldContain(reference);
        page.ShouldContain("When (Europe/London)");
        var first = byEarlyHelpId.Events[0].At;
        page.ShouldContain(TimeZoneInfo.ConvertTimeFromUtc(first, TimeZoneInfo.FindSystemTimeZoneById("Europe/London")).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            customMessage: "times on the council's clock");
        page.ShouldContain("EH-7");
        page.ShouldContain("notice to gp (gp-step-notice)");
        page.ShouldNotContain("Pat Early", customMessage: "ids and roles only");
        page.ShouldNotContain("Grace");
    }

    [Fact]
    public async Task SocialCareClosesAndNoEarlyHelpRecordComes_AfterTheSettlingWindow_IsAStepDownToUniversal()
    {
        await AdoptAsync([Children.Record("SC-1", "CIN", 1)], []);
        SocialCareFeed.ServePage("s1", "s2", Agreed(2));
        await Worker.PollAsync();
        SocialCareFeed.ServePage("s2", "s3", Agreed(3, status: "closed"));
        await Worker.PollAsync();
        (await Worker.QueryScalarAsync<string>("SELECT held_from FROM stepupdown.handovers")).ShouldBe("child-in-need");

        await SweepOnAsync("2026-11-23"); // one working day after Friday 20 November
        (await LevelStepsAsync()).ShouldBeEmpty();

        await SweepOnAsync("2026-11-24");
        (await LevelStepsAsync()).Select(s => (s.Kind, s.From, s.To)).ShouldBe([("StepDown", "child-in-need", "universal")]);
        var toGp = To(await DeliveredAsync(), Gp).ShouldHaveSingleItem();
        toGp.Text.ShouldNotBeNull().ShouldContain("the child's plan has ended");
        (await Worker.QueryScalarAsync<string?>("SELECT held_from FROM stepupdown.handovers")).ShouldBeNull();
    }

    [Fact]
    public async Task EarlyHelpClosedNeedsMet_TellsTheGpAndTheMasshThePlanEnded_AndChasesNobody()
    {
        await AdoptAsync([], [EarlyHelpRecord(1, Professional("eh-7", "Pat Early", Pat, acceptedOn: "2026-06-01"))]);
        var closed = EarlyHelpRecord(2, Professional("eh-7", "Pat Early", Pat, acceptedOn: "2026-06-01"), status: "closed");
        closed["closureReason"] = "needs-met";
        EarlyHelpFeed.ServePage("e1", "e2", closed);

        await Worker.PollAsync(EarlyHelp);

        (await LevelStepsAsync()).Select(s => (s.Kind, s.To, s.Markers)).ShouldBe([("StepDown", "universal", "RoutineClosure")]);
        var delivered = await DeliveredAsync();
        delivered.SelectMany(m => m.To.Select(t => t.Address)).ShouldBe([Gp, Massh], ignoreOrder: true);
        To(delivered, Gp).Single().Text.ShouldNotBeNull().ShouldContain("the child's plan has ended");
        To(delivered, Massh).Single().Subject.ShouldStartWith("Closed to universal, plan ended");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.handovers")).ShouldBe(0);
        (await SweepOnAsync("2026-12-15")).Escalated.ShouldBe(0);
        (await DeliveredAsync()).Count.ShouldBe(2);
    }

    [Fact]
    public async Task TwoUnrelatedChildrenWithThePlaceholderNhsNumber_AreNotLinked_AndNoGpIsWrittenTo()
    {
        await AdoptAsync(
            [Children.Record("SC-1", "EH", 1, nhsNumber: "0000000000")],
            [Children.Record("EH-9", "CP", 1, given: "Other", family: "Child", nhsNumber: "0000000000")]);
        SocialCareFeed.ServePage("s1", "s2", Children.Record("SC-1", "CIN", 2, nhsNumber: "0000000000"));

        await Worker.PollAsync();

        (await LevelStepsAsync()).Select(s => (s.Kind, s.From, s.To)).ShouldBe([("StepUp", "early-help", "child-in-need")], "EH-9's child protection plan is another child's");
        var delivered = await DeliveredAsync();
        To(delivered, Gp).ShouldBeEmpty();
        To(delivered, Massh).ShouldContain(m => m.Subject.StartsWith("GP not notified: NHS number to resolve", StringComparison.Ordinal));
        To(delivered, Massh).ShouldAllBe(m => m.Text!.Contains("Other") == false);
    }

    [Fact]
    public async Task OneNhsNumberOnTwoChildrenInOneSource_IdentifiesNobody_TheMasshIsAskedToMatch()
    {
        await AdoptAsync([Children.Record("SC-1", "EH", 1), Children.Record("SC-2", "EH", 1, given: "Other", family: "Child")], []);
        SocialCareFeed.ServePage("s1", "s2", Children.Record("SC-1", "CP", 2));

        await Worker.PollAsync();

        var delivered = await DeliveredAsync();
        To(delivered, Gp).ShouldBeEmpty();
        var match = To(delivered, Massh).Single(m => m.Subject.StartsWith("GP not notified", StringComparison.Ordinal));
        match.Text.ShouldNotBeNull().ShouldContain("another child in the same case system holds it");
        match.Text.ShouldContain("social-care, case id SC-1");
    }

    [Fact]
    public async Task ChildOnAProtectionPlanMovesGpPractice_TheNewPracticeGetsThePlan_TheOldIsToldTheChildLeft()
    {
        await AdoptAsync([Children.Record("SC-1", "CP", 1, odsCode: "Y00001")], []);
        SocialCareFeed.ServePage("s1", "s2", Children.Record("SC-1", "CP", 2, odsCode: "Y00002"));

        await Worker.PollAsync();

        var delivered = await DeliveredAsync();
        var toNew = To(delivered, NewGp).ShouldHaveSingleItem();
        toNew.Subject.ShouldStartWith("Child registered with your practice: current plan (Child protection)");
        toNew.Text.ShouldNotBeNull().ShouldContain("SNOMED CT 342191000000101");
        toNew.Text.ShouldContain("Weekly visits; school attendance support.");
        var toOld = To(delivered, Gp).ShouldHaveSingleItem();
        toOld.Subject.ShouldStartWith("Child no longer registered with your practice");
        toOld.Text.ShouldNotBeNull().ShouldNotContain("Weekly visits", customMessage: "the old practice is not sent the plan");
    }

    [Fact]
    public async Task ProposedLeadReplaced_GetsThePack_StaleAcceptanceDoesNotCount_TheLevelNeverFalling_IsShown_AndAcceptanceIsToldToTheMassh()
    {
        await AdoptAsync([Children.Record("SC-1", "CIN", 1)], []);
        SocialCareFeed.ServePage("s1", "s2", Agreed(2));
        await Worker.PollAsync();
        SocialCareFeed.ServePage("s2", "s3", Agreed(3, proposed: Professional("eh-8", "Sam Early", Sam)));
        await Worker.PollAsync();
        var pack = To(await DeliveredAsync(), Sam).ShouldHaveSingleItem();
        pack.Subject.ShouldStartWith("Step down agreed, lead changed: you are proposed as lead professional");
        pack.Text.ShouldNotBeNull().ShouldContain("A step down to Early help was agreed on 18 November 2026 (plan review)");

        // Early help holds an old record of Sam accepting, from an earlier episode.
        EarlyHelpFeed.ServePage("e1", "e2", EarlyHelpRecord(1, Professional("eh-8", "Sam Early", Sam, acceptedOn: "2024-03-01")));
        await Worker.PollAsync(EarlyHelp);
        await SweepOnAsync("2026-11-25"); // five working days: stage 1

        var stage1 = To(await DeliveredAsync(), "mary.somerville@council.example").ShouldHaveSingleItem();
        stage1.Text.ShouldNotBeNull().ShouldContain("New lead professional has accepted the role");
        stage1.Text.ShouldContain("the case system still records the higher level");

        EarlyHelpFeed.ServePage("e2", "e3", EarlyHelpRecord(2, Professional("eh-8", "Sam Early", Sam, acceptedOn: "2026-11-26")));
        await Worker.PollAsync(EarlyHelp);

        var accepted = To(await DeliveredAsync(), Massh).Where(m => m.Subject.StartsWith("Lead professional accepted", StringComparison.Ordinal)).ShouldHaveSingleItem();
        accepted.Text.ShouldNotBeNull().ShouldContain("has accepted the role: they now lead");
        accepted.Text.ShouldContain("Sam Early");
    }
}
