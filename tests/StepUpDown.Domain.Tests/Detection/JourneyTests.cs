using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;
using StepUpDown.Domain.Tests.Continuum;
using static StepUpDown.Domain.Tests.Detection.StepDetectorTests;

namespace StepUpDown.Domain.Tests.Detection;

/// <summary>
/// The rules of design.md "Journeys across systems", judged on the child (every linked record),
/// in both orders of arrival where the journey crosses two systems.
/// </summary>
public class JourneyTests
{
    private static readonly ContinuumOfNeed Continuum = LevelMapTests.Default;
    private static readonly Level EarlyHelpLevel = Continuum.Get("early-help");
    private static readonly Level ChildInNeed = Continuum.Get("child-in-need");
    private readonly StepDetector _detector = new(Continuum);

    private static SourceRecord AgreedToEarlyHelp(SourceRecord record) =>
        record with { Record = record.Record with { StepDown = Agreed() }, AgreedTarget = EarlyHelpLevel };

    private StepUpDown.Domain.Detection.Detection Detect(SourceRecord current, SourceRecord? previous, SourceRecord[] related, JourneyState? journey = null, DateOnly? lastStepDown = null) =>
        _detector.Detect(new DetectionInput(current, previous, related, lastStepDown, false, false, journey));

    private static (StepKind Kind, string From, string To, StepMarkers Markers)[] LevelSteps(StepUpDown.Domain.Detection.Detection detection) =>
        detection.Steps.Where(s => s.Kind is StepKind.StepUp or StepKind.StepDown).Select(s => (s.Kind, s.From.Code, s.To.Code, s.Markers)).ToArray();

    [Fact]
    public void SocialCareClosesBeforeEarlyHelpOpens_TheFallIsHeld_ThenTheEarlyHelpRecordMakesItOneStepDown()
    {
        var agreed = AgreedToEarlyHelp(SocialCare("child-in-need", 3));
        var closed = AgreedToEarlyHelp(SocialCare("child-in-need", 4, r => r with { Status = "closed" }));
        var open = new JourneyState(true, EarlyHelpLevel, null);

        var closing = Detect(closed, agreed, [], open);

        LevelSteps(closing).ShouldBeEmpty("nobody is told of a fall to universal while the early-help record may still arrive");
        closing.HeldFrom.ShouldBe(ChildInNeed);

        var arriving = Detect(EarlyHelp("early-help", 1), null, [closed], open with { HeldFrom = closing.HeldFrom }, lastStepDown: new DateOnly(2026, 6, 1));

        LevelSteps(arriving).ShouldBe([(StepKind.StepDown, "child-in-need", "early-help", StepMarkers.None)], "no step up, no re-referral");
        arriving.HeldFrom.ShouldBeNull();
    }

    [Fact]
    public void EarlyHelpOpensFirst_ThenSocialCareCloses_IsTheSameOneStepDown_AndNothingIsHeld()
    {
        var earlyHelp = EarlyHelp("early-help", 1);
        var open = new JourneyState(true, EarlyHelpLevel, null);

        LevelSteps(Detect(earlyHelp, null, [AgreedToEarlyHelp(SocialCare("child-in-need", 3))], open)).ShouldBeEmpty();
        var closing = Detect(AgreedToEarlyHelp(SocialCare("child-in-need", 4, r => r with { Status = "closed" })), AgreedToEarlyHelp(SocialCare("child-in-need", 3)), [earlyHelp], open);

        LevelSteps(closing).ShouldBe([(StepKind.StepDown, "child-in-need", "early-help", StepMarkers.None)]);
        closing.HeldFrom.ShouldBeNull();
    }

    [Fact]
    public void AgreementOpenButTheSourceClearedItsBlock_AFallIsStillPlanned() =>
        LevelSteps(Detect(SocialCare("early-help", 4), SocialCare("child-in-need", 3), [], new JourneyState(true, EarlyHelpLevel, null)))
            .ShouldBe([(StepKind.StepDown, "child-in-need", "early-help", StepMarkers.None)]);

    [Fact]
    public void HeldFall_ChildBackAtTheHeldLevel_IsNoStepAndReleasesTheHold()
    {
        var detection = Detect(SocialCare("child-in-need", 5), SocialCare("child-in-need", 4, r => r with { Status = "closed" }), [], new JourneyState(true, EarlyHelpLevel, ChildInNeed));

        LevelSteps(detection).ShouldBeEmpty();
        detection.HeldFrom.ShouldBeNull();
    }

    [Fact]
    public void EarlyHelpClosedNeedsMet_IsARoutineClosure_OpeningNoHandover()
    {
        var detection = Detect(EarlyHelp("early-help", 2, r => r with { Status = "closed", ClosureReason = "needs-met" }), EarlyHelp("early-help", 1), []);

        LevelSteps(detection).ShouldBe([(StepKind.StepDown, "early-help", "universal", StepMarkers.RoutineClosure)]);
        detection.Steps.Select(s => HandoverOpening.OpenedBy(s, EarlyHelp("early-help", 2))).ShouldAllBe(h => h == null);
        NotificationRules.For(detection.Steps, gpAllowed: true).Select(n => n.Role).ShouldBe([RecipientRoles.Gp, RecipientRoles.Massh], ignoreOrder: true);
    }

    [Fact]
    public void FallAboveUniversalNobodyAgreed_IsUnplanned_AndOpensAHandover()
    {
        var current = SocialCare("early-help", 2);
        var step = Detect(current, SocialCare("child-in-need", 1), []).Steps.Single(s => s.Kind == StepKind.StepDown);

        step.Markers.ShouldBe(StepMarkers.Unplanned);
        HandoverOpening.OpenedBy(step, current).ShouldNotBeNull().Planned.ShouldBeFalse();
    }

    [Theory]
    [InlineData(null, "p2", true)]
    [InlineData("p1", "p2", true)]
    [InlineData("p1", "p1", false)]
    public void ProposedLeadNamedOrReplacedAfterTheAgreement_GetsThePack(string? before, string now, bool named)
    {
        StepDownAgreement With(string? id) => Agreed() with { ProposedLeadProfessional = id is null ? null : Lead(id) };
        var detection = Detect(SocialCare("child-in-need", 2, r => r with { StepDown = With(now) }), SocialCare("child-in-need", 1, r => r with { StepDown = With(before) }), []);

        detection.Steps.Any(s => s.Kind == StepKind.ProposedLeadNamed).ShouldBe(named);
        NotificationRules.For(detection.Steps, gpAllowed: true).Any(n => n.Role == RecipientRoles.ProposedLead).ShouldBe(named);
    }

    [Theory]
    [InlineData("early-help", true)]
    [InlineData("child-protection", true)]
    [InlineData("universal", false)]
    public void GpPracticeChange_AtEarlyHelpOrAbove_TellsTheNewPracticeAndTheOld(string level, bool told)
    {
        var detection = Detect(
            EarlyHelp(level, 2, r => r with { GpPractice = new GpPracticeRef("Y00002", "New") }),
            EarlyHelp(level, 1, r => r with { GpPractice = new GpPracticeRef("Y00001", "Old") }),
            []);

        var step = detection.Steps.SingleOrDefault(s => s.Kind == StepKind.GpPracticeChanged);
        (step is not null).ShouldBe(told);
        if (told)
        {
            step!.Subject.ShouldBe("Y00001");
            NotificationRules.For(detection.Steps, gpAllowed: true).Select(n => (n.Role, n.Template))
                .ShouldBe([(RecipientRoles.Gp, "gp-step-notice"), (RecipientRoles.PreviousGp, "gp-left-notice")], ignoreOrder: true);
        }
    }

    [Theory]
    [InlineData(true, StepMarkers.Unplanned, true)]
    [InlineData(false, StepMarkers.HandoverNotTracked, false)]
    public void AFallNobodyAgreed_FromASourceThatRecordsNoAgreements_IsToldToTheGpMasshAndNewLead_WithNoHandover(bool tracks, StepMarkers marker, bool handover)
    {
        var current = SocialCare("early-help", 2, r => r with { StepDown = null });
        var steps = new StepDetector(LevelMapTests.Default).Detect(new DetectionInput(
            current, SocialCare("child-in-need", 1, r => r with { StepDown = null }), [], null, false, TracksAgreements: tracks)).Steps;

        var fall = steps.Single(s => s.Kind == StepKind.StepDown);
        fall.Markers.HasFlag(marker).ShouldBeTrue();
        (HandoverOpening.OpenedBy(fall, current) is not null).ShouldBe(handover);
        NotificationRules.For(steps, gpAllowed: true).Where(n => n.Step.Kind == StepKind.StepDown).Select(n => n.Role).Order(StringComparer.Ordinal)
            .ShouldBe(tracks ? [RecipientRoles.Gp, RecipientRoles.Massh] : [RecipientRoles.Gp, RecipientRoles.LeadProfessional, RecipientRoles.Massh]);
    }

    [Fact]
    public void AFallInASourceThatRecordsNoAgreements_InBothOrdersOfArrival_IsToldAsTrackedSourcesAre_AndOpensNoHandover()
    {
        var caseOpen = SocialCare("child-in-need", 3, r => r with { StepDown = null });
        var caseClosed = SocialCare("child-in-need", 4, r => r with { Status = "closed", StepDown = null });
        var earlyHelp = EarlyHelp("early-help", 1);
        StepUpDown.Domain.Detection.Detection Untracked(SourceRecord current, SourceRecord previous, SourceRecord[] related) =>
            _detector.Detect(new DetectionInput(current, previous, related, null, false, TracksAgreements: false));

        // Early help opens first, then the case system that records no agreements closes its case.
        var ehFirst = Detect(earlyHelp, null, [caseOpen]);
        var closesAfter = Untracked(caseClosed, caseOpen, [earlyHelp]);

        // The case closes first, then early help opens.
        var closesFirst = Untracked(caseClosed, caseOpen, []);
        var ehAfter = Detect(earlyHelp, null, [caseClosed]);

        LevelSteps(ehFirst).ShouldBeEmpty();
        LevelSteps(closesAfter).ShouldBe([(StepKind.StepDown, "child-in-need", "early-help", StepMarkers.HandoverNotTracked)]);
        LevelSteps(closesFirst).ShouldBe([(StepKind.StepDown, "child-in-need", "universal", StepMarkers.RoutineClosure)], "as for any source: the plan ended");
        LevelSteps(ehAfter).ShouldBe([(StepKind.StepUp, "universal", "early-help", StepMarkers.None)]);
        new[] { (ehFirst, earlyHelp), (closesAfter, caseClosed), (closesFirst, caseClosed), (ehAfter, earlyHelp) }
            .SelectMany(d => d.Item1.Steps.Select(step => HandoverOpening.OpenedBy(step, d.Item2)))
            .ShouldAllBe(opened => opened == null, "nobody can record a checklist the source does not hold");
    }

    [Fact]
    public void ARecordWhoseExternalIdsNameAnotherValidNumber_AsksTheMasshToMatch_OncePerChangeOfIdentity()
    {
        var other = EarlyHelp("early-help", 1, r => r with { NhsNumber = "9434765870" });
        StepDownAgreement? none = null;
        var named = SocialCare("child-in-need", 2, r => r with { ExternalIds = [new ExternalId("early-help", "EH-1")], StepDown = none });
        var detector = new StepDetector(LevelMapTests.Default);

        var first = detector.Detect(new DetectionInput(named, SocialCare("child-in-need", 1), [], null, false, Conflicting: [other])).Steps;
        var again = detector.Detect(new DetectionInput(SocialCare("child-in-need", 3, r => r with { ExternalIds = [new ExternalId("early-help", "EH-1")] }), named, [], null, false, Conflicting: [other])).Steps;

        first.Single(s => s.Kind == StepKind.IdentityConflict).Subject.ShouldBe("early-help|EH-1");
        NotificationRules.For(first, gpAllowed: true).Where(n => n.Step.Kind == StepKind.IdentityConflict).Select(n => (n.Role, n.Template))
            .ShouldBe([(RecipientRoles.Massh, "massh-identity-conflict")]);
        again.ShouldNotContain(s => s.Kind == StepKind.IdentityConflict, "told once, not at every change of a record whose identity did not change");
    }

    [Fact]
    public void GpPracticeChange_WhileTheGpNoticeWasWithheld_TellsTheNewPractice_NotTheOldOneThatNeverKnewTheChild()
    {
        var steps = new StepDetector(LevelMapTests.Default).Detect(new DetectionInput(
            EarlyHelp("early-help", 2, r => r with { GpPractice = new GpPracticeRef("Y00002", "New") }),
            EarlyHelp("early-help", 1, r => r with { GpPractice = new GpPracticeRef("Y00001", "Old"), NhsNumber = null }),
            [], null, false, GpNoticeWithheld: true)).Steps;

        steps.Single(s => s.Kind == StepKind.GpPracticeChanged).Markers.HasFlag(StepMarkers.PreviousPracticeNotTold).ShouldBeTrue();
        NotificationRules.For(steps, gpAllowed: true).Select(n => n.Role).ShouldNotContain(RecipientRoles.PreviousGp);
    }

    [Theory]
    [InlineData("0000000000")]
    [InlineData("9999999999")]
    public void PlaceholderNhsNumber_NeverLinksNorWritesToAGp(string placeholder)
    {
        var current = SocialCare("child-protection", 2, r => r with { NhsNumber = placeholder });

        current.UsableNhsNumber.ShouldBeNull();
        var step = Detect(current, SocialCare("child-in-need", 1, r => r with { NhsNumber = placeholder }), []).Steps.Single(s => s.Kind == StepKind.StepUp);
        step.Markers.ShouldBe(StepMarkers.InvalidNhsNumber);
        NotificationRules.For([step], gpAllowed: current.UsableNhsNumber is not null).Select(n => n.Role)
            .ShouldBe([RecipientRoles.MasshNhsMatch, RecipientRoles.Massh], ignoreOrder: true);
    }

    [Fact]
    public void NumberHeldByAnotherChildInTheSource_IdentifiesNobody() =>
        (SocialCare("child-in-need", 1) with { NhsNumberShared = true }).UsableNhsNumber.ShouldBeNull();

    [Fact]
    public void WithheldGpNotice_NumberFixedButSharedWithAnotherChild_IsNoMatch() =>
        _detector.Detect(new DetectionInput(SocialCare("child-in-need", 2) with { NhsNumberShared = true }, SocialCare("child-in-need", 1, r => r with { NhsNumber = null }), [], null, false, GpNoticeWithheld: true))
            .Steps.ShouldNotContain(s => s.Kind == StepKind.NhsNumberMatched);

    [Fact]
    public void StepUpAfterAnUnplannedFallStillBeingHandedOver_IsNoReReferral()
    {
        // The caller passes only completed step downs and closures to universal (LastStepDownOn): none here.
        var step = Detect(SocialCare("child-protection", 3), SocialCare("early-help", 2), []).Steps.Single(s => s.Kind == StepKind.StepUp);

        step.Markers.HasFlag(StepMarkers.ReReferral).ShouldBeFalse();
    }

    [Fact]
    public void AcceptanceWithoutAChangeOfLead_IsToldToTheMassh()
    {
        var lead = Lead("p1");
        var detection = Detect(SocialCare("early-help", 2, r => r with { LeadProfessional = lead with { AcceptedOn = new DateOnly(2026, 11, 19) } }), SocialCare("early-help", 1, r => r with { LeadProfessional = lead }), []);

        NotificationRules.For(detection.Steps, gpAllowed: true).Select(n => (n.Step.Kind, n.Role)).ShouldBe([(StepKind.LeadProfessionalAccepted, RecipientRoles.Massh)]);
    }
}

/// <summary>Notice content is the child's, not the record's: who leads and the plan after the step.</summary>
public class CombinedViewTests
{
    [Fact]
    public void SocialCareClosesWithEarlyHelpOpen_TheLeadAndPlanAreEarlyHelps()
    {
        var earlyHelp = EarlyHelp("early-help", 1, r => r with { LeadProfessional = Lead("eh"), Plan = new Plan { Type = "tac" } });
        var closed = SocialCare("child-in-need", 4, r => r with { Status = "closed", LeadProfessional = Lead("sw"), Plan = new Plan { Type = "cin" } });

        var view = CombinedView.For(closed, [earlyHelp]);

        (view.ChildId, view.LeadProfessional!.Id, view.Plan!.Type).ShouldBe(("SC-1", "eh", "tac"));
    }

    [Fact]
    public void EveryRecordClosed_ThePlanHasEnded_TheLastLeadIsKept()
    {
        var view = CombinedView.For(EarlyHelp("early-help", 2, r => r with { Status = "closed", LeadProfessional = Lead("eh"), Plan = new Plan { Type = "tac" } }), []);

        (view.LeadProfessional!.Id, view.Plan).ShouldBe(("eh", null));
    }

    [Fact]
    public void TheRecordThatChangedIsTheHighestOpen_ItsOwnLeadAndPlan()
    {
        var current = SocialCare("child-protection", 2, r => r with { LeadProfessional = Lead("sw") });

        CombinedView.For(current, [EarlyHelp("early-help", 1, r => r with { LeadProfessional = Lead("eh") })]).LeadProfessional!.Id.ShouldBe("sw");
    }

    [Fact]
    public void ThePractice_IsTheOneTheLatestOpenRecordNames_NeverOneOnlyAClosedRecordHolds()
    {
        static GpPracticeRef Practice(string ods) => new(ods, $"Practice {ods}");
        var earlyHelp = EarlyHelp("early-help", 3, r => r with { GpPractice = Practice("NEW01"), UpdatedAt = r.UpdatedAt!.Value.AddDays(1) });
        var closed = SocialCare("child-in-need", 4, r => r with { Status = "closed", GpPractice = Practice("OLD01") });
        var staleOpen = SocialCare("child-in-need", 4, r => r with { GpPractice = Practice("OLD01") });

        CombinedView.For(closed, [earlyHelp]).GpPractice!.OdsCode.ShouldBe("NEW01");
        CombinedView.For(staleOpen, [earlyHelp]).GpPractice!.OdsCode.ShouldBe("NEW01", "early help changed the practice after social care last wrote");
        CombinedView.For(closed, []).GpPractice!.OdsCode.ShouldBe("OLD01", "with no open record, the last one known");
    }

    [Theory]
    [InlineData(StepKind.StepDown, true)]
    [InlineData(StepKind.StepUp, true)]
    [InlineData(StepKind.GpPracticeChanged, true)]
    [InlineData(StepKind.LeadProfessionalAccepted, false)]
    [InlineData(StepKind.StepDownAgreed, false)]
    [InlineData(StepKind.StepIn, false)]
    public void LeadAndServiceSteps_AreWrittenFromTheirOwnRecord_LevelStepsFromTheChild(StepKind kind, bool wholeChild) =>
        CombinedView.IsAboutTheWholeChild(kind).ShouldBe(wholeChild);
}
