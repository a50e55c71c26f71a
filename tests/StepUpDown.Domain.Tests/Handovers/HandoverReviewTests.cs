using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Tests.Handovers;

public class HandoverReviewTests
{
    // Mon 2 Nov 2026: no bank holidays before the ladder's day 15 (Mon 23 Nov).
    private static readonly DateOnly Agreed = new(2026, 11, 2);

    private static readonly WorkingDayCalendar Calendar = new([new DateOnly(2026, 12, 25)], 2026, 2027);

    private static readonly EscalationLadder Standard = new(
        [
            new EscalationStage("Reminder", 3, ["proposed-lead"], "handover-reminder"),
            new EscalationStage("Stage 1", 5, ["team-manager"], "handover-escalation"),
            new EscalationStage("Stage 2", 10, ["team-manager", "agency-manager"], "handover-escalation"),
            new EscalationStage("Stage 3", 15, ["head-of-service", "tac-champion"], "handover-escalation"),
        ],
        DisagreementStage: 2);

    private static readonly Professional Proposed = new() { Name = "Pat Early", Email = "pat@council.example" };

    private static StepDownAgreement Agreement(bool complete = false, string? disagreement = null, DateOnly? withdrawnOn = null) => new()
    {
        AgreedOn = Agreed,
        TargetLevel = "EH",
        ProposedLeadProfessional = Proposed,
        FamilyConsent = true,
        SmartPlanUpdatedOn = complete ? Agreed : null,
        PlanSharedOn = complete ? Agreed.AddDays(1) : null,
        Disagreement = disagreement,
        WithdrawnOn = withdrawnOn,
    };

    private static HandoverFacts Open(StepDownAgreement? agreement = null, bool accepted = false, bool gpNotified = false, int? lastStage = null) =>
        new(Agreed, agreement ?? Agreement(), accepted, gpNotified, SteppedBackUp: false, Superseded: false, lastStage);

    /// <summary>Runs the ladder day by day as the sweep would, applying each stage it sends.</summary>
    private static List<(DateOnly Day, int Stage)> RunLadder(Func<DateOnly, HandoverFacts> factsOn, DateOnly until)
    {
        var sent = new List<(DateOnly, int)>();
        int? last = null;
        for (var day = Agreed; day <= until; day = day.AddDays(1))
        {
            var decision = HandoverReview.Decide(factsOn(day) with { LastStageSent = last }, day, Calendar, Standard);
            if (decision is HandoverDecision.Complete or HandoverDecision.Withdraw)
            {
                break;
            }

            if (decision is HandoverDecision.Escalate escalate)
            {
                sent.Add((day, escalate.Stage));
                last = escalate.Stage;
            }
        }

        return sent;
    }

    [Fact]
    public void Ladder_NothingHappens_EachStageFiresOnceOnItsWorkingDay()
    {
        var sent = RunLadder(_ => Open(), until: new DateOnly(2026, 12, 31));

        sent.ShouldBe(
        [
            (new DateOnly(2026, 11, 5), 0),   // Thu: 3rd working day
            (new DateOnly(2026, 11, 9), 1),   // Mon: 5th (the weekend does not count)
            (new DateOnly(2026, 11, 16), 2),  // 10th
            (new DateOnly(2026, 11, 23), 3),  // 15th
        ]);
    }

    [Fact]
    public void Ladder_CompletedBeforeStage2_StopsAfterStage1()
    {
        var completeFrom = new DateOnly(2026, 11, 12);
        var sent = RunLadder(day => day < completeFrom ? Open() : Open(Agreement(complete: true), accepted: true, gpNotified: true), new DateOnly(2026, 12, 31));

        sent.Select(s => s.Stage).ShouldBe([0, 1]);
    }

    [Fact]
    public void Ladder_Disagreement_JumpsStraightToStage2ThenClimbsOnItsDays()
    {
        var sent = RunLadder(_ => Open(Agreement(disagreement: "Reluctant to take the lead role")), new DateOnly(2026, 12, 31));

        sent.ShouldBe([(Agreed, 2), (new DateOnly(2026, 11, 23), 3)]);
    }

    [Fact]
    public void Decide_Withdrawn_StopsTheLadder() =>
        HandoverReview.Decide(Open(Agreement(withdrawnOn: Agreed.AddDays(4))), new DateOnly(2026, 11, 30), Calendar, Standard)
            .ShouldBeOfType<HandoverDecision.Withdraw>();

    [Theory]
    [InlineData("the child died")]
    [InlineData("the case moved to another council")]
    public void Decide_TheCaseEnded_StopsTheLadder_EvenWithAStageDue(string why) =>
        HandoverReview.Decide(Open() with { CaseEnded = why }, new DateOnly(2026, 12, 30), Calendar, Standard)
            .ShouldBeOfType<HandoverDecision.Withdraw>().Reason.ShouldBe(why);

    [Fact]
    public void Decide_SteppedBackUp_StopsTheLadder() =>
        HandoverReview.Decide(Open() with { SteppedBackUp = true }, new DateOnly(2026, 11, 30), Calendar, Standard)
            .ShouldBeOfType<HandoverDecision.Withdraw>().Reason.ShouldContain("stepped back up");

    [Fact]
    public void Decide_DetectedLate_SendsOnlyTheHighestDueStageWithWhatIsMissing()
    {
        var decision = HandoverReview.Decide(Open(accepted: true), new DateOnly(2026, 11, 17), Calendar, Standard);

        var escalate = decision.ShouldBeOfType<HandoverDecision.Escalate>();
        escalate.Stage.ShouldBe(2);
        escalate.WorkingDays.ShouldBe(11);
        escalate.Missing.ShouldBe([ChecklistItem.SmartPlanUpdated, ChecklistItem.PlanShared, ChecklistItem.GpNotified]);
    }

    [Fact]
    public void Decide_StageAlreadySent_Waits() =>
        HandoverReview.Decide(Open(lastStage: 1), new DateOnly(2026, 11, 10), Calendar, Standard)
            .ShouldBeOfType<HandoverDecision.Wait>();

    [Fact]
    public void Decide_EveryItemHolds_CompletesWithItsDurationInWorkingDays() =>
        HandoverReview.Decide(Open(Agreement(complete: true), accepted: true, gpNotified: true), new DateOnly(2026, 11, 9), Calendar, Standard)
            .ShouldBe(new HandoverDecision.Complete(5));

    [Fact]
    public void Decide_AllButTheGpNotice_IsNotComplete() =>
        HandoverReview.Decide(Open(Agreement(complete: true), accepted: true, gpNotified: false), new DateOnly(2026, 11, 9), Calendar, Standard)
            .ShouldBeOfType<HandoverDecision.Escalate>().Missing.ShouldBe([ChecklistItem.GpNotified]);

    [Fact]
    public void Missing_UnplannedStepDownNobodyRecorded_IsEveryItem() =>
        HandoverChecklist.Missing(null, leadAccepted: false, gpNotified: false, levelRecorded: false).Count.ShouldBe(Enum.GetValues<ChecklistItem>().Length);

    [Fact]
    public void AcceptingRecord_ProposedLeadAcceptedInAnotherSystem_IsFound()
    {
        var earlyHelp = new ChildRecord { ChildId = "eh-1", LeadProfessional = Proposed with { AcceptedOn = Agreed.AddDays(2) } };
        var socialCare = new ChildRecord { ChildId = "sc-1", LeadProfessional = new Professional { Name = "Sam Social", Email = "sam@council.example" } };

        HandoverChecklist.AcceptingRecord(Agreement(), [socialCare, earlyHelp]).ShouldBe(earlyHelp);
        HandoverChecklist.LeadAccepted(Agreement(), [socialCare, earlyHelp with { LeadProfessional = Proposed }]).ShouldBeFalse("proposed but not yet accepted");
    }

    [Fact]
    public void AcceptanceRecordedOnTheAgreementsProposedLead_SatisfiesTheChecklist()
    {
        var socialCare = new ChildRecord { ChildId = "sc-1", LeadProfessional = new Professional { Name = "Sam Social", Email = "sam@council.example" } };
        var accepted = Agreement() with { ProposedLeadProfessional = Proposed with { AcceptedOn = Agreed.AddDays(1) } };

        HandoverChecklist.LeadAccepted(accepted, [socialCare]).ShouldBeTrue("social care recorded the acceptance on the step down itself");
        HandoverChecklist.AcceptedLead(accepted, [socialCare])!.Name.ShouldBe("Pat Early");
        HandoverChecklist.LeadAccepted(Agreement() with { ProposedLeadProfessional = Proposed with { AcceptedOn = Agreed.AddDays(-1) } }, [socialCare]).ShouldBeFalse();
    }

    [Fact]
    public void Decide_PastTheCalendar_FailsClosed() =>
        Should.Throw<CalendarExhaustedException>(() => HandoverReview.Decide(Open(), new DateOnly(2028, 1, 3), Calendar, Standard));

    [Fact]
    public void AcceptedOnBeforeTheAgreement_DoesNotSatisfyTheChecklist()
    {
        var stale = new ChildRecord { ChildId = "eh-1", LeadProfessional = Proposed with { AcceptedOn = Agreed.AddYears(-2) } };
        var fresh = new ChildRecord { ChildId = "eh-1", LeadProfessional = Proposed with { AcceptedOn = Agreed } };

        HandoverChecklist.LeadAccepted(Agreement(), [stale]).ShouldBeFalse();
        HandoverChecklist.LeadAccepted(Agreement(), [fresh]).ShouldBeTrue("an acceptance on the day of the agreement counts");
    }

    [Fact]
    public void LevelNeverFell_IsMissing_SoManagersSeeTheCaseIsStillOpen()
    {
        var facts = Open(Agreement(complete: true), accepted: true, gpNotified: true) with { LevelRecorded = false };

        var wait = HandoverReview.Decide(facts, Agreed.AddDays(1), Calendar, Standard).ShouldBeOfType<HandoverDecision.Wait>();

        wait.Missing.ShouldBe([ChecklistItem.LevelRecorded]);
        HandoverChecklist.Describe(ChecklistItem.LevelRecorded).ShouldContain("still records the higher level");
    }

    [Fact]
    public void StalledPastTheLastStage_IsSentAgainEveryRepeatInterval()
    {
        var ladder = Standard with { RepeatLastStageWorkingDays = 5 };
        var stage3On = new DateOnly(2026, 11, 23); // day 15
        var facts = Open(lastStage: 3) with { LastStageSentOn = stage3On };

        HandoverReview.Decide(facts, new DateOnly(2026, 11, 27), Calendar, ladder).ShouldBeOfType<HandoverDecision.Wait>("4 working days since stage 3");
        var again = HandoverReview.Decide(facts, new DateOnly(2026, 11, 30), Calendar, ladder).ShouldBeOfType<HandoverDecision.Escalate>();
        (again.Stage, again.Repeat).ShouldBe((3, true));
        HandoverReview.Decide(facts, new DateOnly(2026, 11, 30), Calendar, Standard).ShouldBeOfType<HandoverDecision.Wait>("no repeat configured");
    }

    [Theory]
    [InlineData("2026-11-20", false)] // Friday, the day it was held
    [InlineData("2026-11-23", false)] // one working day
    [InlineData("2026-11-24", true)]  // two working days: the window has ended
    public void HeldFall_SettlesAfterTheWindowOfWorkingDays(string today, bool settled) =>
        HandoverReview.SettlingEnded(new DateOnly(2026, 11, 20), DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture), Calendar, 2).ShouldBe(settled);

    [Fact]
    public void AcceptedByReply_TheLadderNoLongerChasesAcceptance_ButTheHandoverWaitsForTheCaseSystemToRecordIt()
    {
        var facts = Open(Agreement(complete: true), gpNotified: true) with { AcceptedByReply = true };

        var sent = RunLadder(_ => facts, new DateOnly(2026, 12, 4));
        var wait = HandoverReview.Decide(facts, new DateOnly(2026, 12, 4), Calendar, Standard).ShouldBeOfType<HandoverDecision.Wait>();

        sent.ShouldBeEmpty("acceptance was the only item missing, and a reply accepted");
        wait.Missing.ShouldBe([ChecklistItem.LeadAccepted], "still to be recorded in the case system");
        HandoverReview.Decide(facts with { LeadAccepted = true }, new DateOnly(2026, 12, 4), Calendar, Standard).ShouldBeOfType<HandoverDecision.Complete>();
    }

    [Fact]
    public void AcceptedByReply_WithOtherItemsMissing_TheLadderChasesThoseAlone()
    {
        var facts = Open() with { AcceptedByReply = true };

        var escalate = HandoverReview.Decide(facts, new DateOnly(2026, 11, 9), Calendar, Standard).ShouldBeOfType<HandoverDecision.Escalate>();

        escalate.Stage.ShouldBe(1);
        escalate.Missing.ShouldNotContain(ChecklistItem.LeadAccepted);
        escalate.Missing.ShouldContain(ChecklistItem.SmartPlanUpdated);
    }

    [Fact]
    public void DeclinedByReply_GoesStraightToStage2_OnTheDayOfTheReply_ThenClimbsOnItsDays()
    {
        var declinedOn = new DateOnly(2026, 11, 3);
        var sent = RunLadder(day => Open() with { DeclinedByReply = day >= declinedOn ? "I am not the right person" : null, DeclineTold = day > declinedOn }, new DateOnly(2026, 11, 30));

        sent.ShouldBe([(declinedOn, 2), (new DateOnly(2026, 11, 23), 3)]);
    }

    [Fact]
    public void DeclinedByReply_AfterStage2WasSent_IsSentToTheManagersOnce()
    {
        var facts = Open(lastStage: 2) with { DeclinedByReply = "", LastStageSentOn = new DateOnly(2026, 11, 16) };
        var today = new DateOnly(2026, 11, 18);

        var escalate = HandoverReview.Decide(facts, today, Calendar, Standard).ShouldBeOfType<HandoverDecision.Escalate>();

        (escalate.Stage, escalate.Declined).ShouldBe((2, true));
        HandoverReview.Decide(facts with { DeclineTold = true }, today, Calendar, Standard).ShouldBeOfType<HandoverDecision.Wait>();
    }
}
