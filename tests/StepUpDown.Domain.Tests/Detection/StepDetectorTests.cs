using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;
using StepUpDown.Domain.Tests.Continuum;
using StepUpDown.Domain.Tests.Records;

namespace StepUpDown.Domain.Tests.Detection;

public class StepDetectorTests
{
    private static readonly DateOnly Today = new(2026, 11, 20);
    private readonly StepDetector _detector = new(LevelMapTests.Default);

    internal static SourceRecord In(string source, string level, long version, Func<ChildRecord, ChildRecord>? change = null)
    {
        var record = RecordValidatorTests.Valid() with
        {
            ChildId = source == "early-help" ? "EH-1" : "SC-1",
            NhsNumber = "9434765919",
            Version = version,
            UpdatedAt = new DateTimeOffset(Today.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero),
        };
        record = change?.Invoke(record) ?? record;
        return new SourceRecord(source, record, record.IsClosed ? LevelMapTests.Default.Lowest : LevelMapTests.Default.Get(level));
    }

    internal static SourceRecord SocialCare(string level, long version, Func<ChildRecord, ChildRecord>? change = null) => In("social-care", level, version, change);

    internal static SourceRecord EarlyHelp(string level, long version, Func<ChildRecord, ChildRecord>? change = null) => In("early-help", level, version, change);

    private IReadOnlyList<DetectedStep> Steps(SourceRecord current, SourceRecord? previous, params SourceRecord[] related) =>
        _detector.Detect(new DetectionInput(current, previous, related, null, false)).Steps;

    private static (StepKind Kind, string From, string To, StepMarkers Markers)[] Summary(IEnumerable<DetectedStep> steps) =>
        steps.Select(s => (s.Kind, s.From.Code, s.To.Code, s.Markers)).ToArray();

    [Theory]
    [InlineData("early-help", "child-protection", StepKind.StepUp)]
    [InlineData("universal", "early-help", StepKind.StepUp)]
    [InlineData("child-in-need", "looked-after", StepKind.StepUp)]
    [InlineData("child-protection", "child-in-need", StepKind.StepDown)]
    [InlineData("child-in-need", "universal", StepKind.StepDown)]
    public void LevelChange_IsOneStepFromTheStoredLevelToTheNewOne(string from, string to, StepKind kind)
    {
        var step = Steps(SocialCare(to, 5), SocialCare(from, 4)).ShouldHaveSingleItem();

        (step.Kind, step.From.Code, step.To.Code, step.FromVersion, step.ToVersion).ShouldBe((kind, from, to, 4L, 5L));
    }

    [Fact]
    public void SameLevelNewerVersion_IsStoredWithoutSteps()
    {
        var detection = _detector.Detect(new DetectionInput(SocialCare("child-in-need", 5), SocialCare("child-in-need", 4), [], null, false));

        detection.Outcome.ShouldBe(DetectionOutcome.Changed);
        detection.Steps.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public void SameOrLowerVersion_IsAReplayThatChangesNothing(long version)
    {
        var detection = _detector.Detect(new DetectionInput(SocialCare("child-protection", version), SocialCare("early-help", 5), [], null, false));

        detection.Outcome.ShouldBe(DetectionOutcome.Replay);
        detection.Steps.ShouldBeEmpty();
    }

    [Fact]
    public void DuringBaseline_StoresWithoutSteps_EvenForANewHighLevelChildWithEverything()
    {
        var current = SocialCare("looked-after", 1, r => r with { Services = [Service("S1")], StepDown = Agreed() });

        var detection = _detector.Detect(new DetectionInput(current, null, [], null, true));

        detection.Outcome.ShouldBe(DetectionOutcome.Baseline);
        detection.Steps.ShouldBeEmpty();
    }

    [Fact]
    public void ChildNewAfterBaseline_StepsUpFromUniversal_AndItsLeadAndServicesStepIn()
    {
        var current = SocialCare("early-help", 1, r => r with { LeadProfessional = Lead("p1"), Services = [Service("S1")] });

        var steps = Steps(current, null);

        steps.Select(s => (s.Kind, s.Subject)).ShouldBe(
            [(StepKind.StepUp, null), (StepKind.StepIn, "S1"), (StepKind.LeadProfessionalChanged, null)]);
        steps[0].From.Code.ShouldBe("universal");
    }

    [Fact]
    public void ChildNewAfterBaselineAtUniversal_IsNoLevelStep() =>
        Steps(SocialCare("universal", 1), null).ShouldBeEmpty();

    [Fact]
    public void StepDownBlockAppears_IsStepDownAgreed_Once()
    {
        var agreed = SocialCare("child-in-need", 2, r => r with { StepDown = Agreed() });

        Summary(Steps(agreed, SocialCare("child-in-need", 1))).ShouldBe([(StepKind.StepDownAgreed, "child-in-need", "child-in-need", StepMarkers.None)]);
        Steps(SocialCare("child-in-need", 3, r => r with { StepDown = Agreed() with { FamilyConsent = true } }), agreed).ShouldBeEmpty();
    }

    [Fact]
    public void WithdrawnStepDown_IsNotAgreed_ButAgreeingAgainIs()
    {
        var withdrawn = SocialCare("child-in-need", 2, r => r with { StepDown = Agreed() with { WithdrawnOn = Today } });

        Steps(withdrawn, SocialCare("child-in-need", 1, r => r with { StepDown = Agreed() })).ShouldBeEmpty();
        Steps(SocialCare("child-in-need", 3, r => r with { StepDown = Agreed() }), withdrawn)
            .ShouldHaveSingleItem().Kind.ShouldBe(StepKind.StepDownAgreed);
    }

    [Fact]
    public void FallAfterAnAgreedStepDown_IsAPlannedStepDown()
    {
        var before = SocialCare("child-in-need", 1, r => r with { StepDown = Agreed() });

        var step = Steps(SocialCare("early-help", 2), before).ShouldHaveSingleItem();

        (step.Kind, step.Markers).ShouldBe((StepKind.StepDown, StepMarkers.None));
    }

    [Fact]
    public void FallWithNoAgreedStepDown_IsUnplanned() =>
        Steps(SocialCare("early-help", 2), SocialCare("child-in-need", 1))
            .ShouldHaveSingleItem().Markers.ShouldBe(StepMarkers.Unplanned);

    [Fact]
    public void NewService_StepsIn_AndOneAlreadyLeftDoesNot()
    {
        var current = SocialCare("early-help", 2, r => r with { Services = [Service("S1"), Service("S2"), Service("S3") with { LeftOn = Today }] });

        var steps = Steps(current, SocialCare("early-help", 1, r => r with { Services = [Service("S1")] }));

        steps.Select(s => (s.Kind, s.Subject)).ShouldBe([(StepKind.StepIn, "S2")]);
    }

    [Theory]
    [InlineData("completed", StepMarkers.None)]
    [InlineData("no-longer-needed", StepMarkers.None)]
    [InlineData("non-engagement", StepMarkers.NonEngagement)]
    public void ServiceGainsLeftOn_StepsOut_FlaggingNonEngagement(string reason, StepMarkers markers)
    {
        var current = SocialCare("early-help", 2, r => r with { Services = [Service("S1") with { LeftOn = Today, LeftReason = reason }] });

        var step = Steps(current, SocialCare("early-help", 1, r => r with { Services = [Service("S1")] })).ShouldHaveSingleItem();

        (step.Kind, step.Subject, step.Markers).ShouldBe((StepKind.StepOut, "S1", markers));
    }

    [Fact]
    public void DifferentLead_IsALeadProfessionalChange()
    {
        var steps = Steps(SocialCare("early-help", 2, r => r with { LeadProfessional = Lead("p2") }), SocialCare("early-help", 1, r => r with { LeadProfessional = Lead("p1") }));

        steps.ShouldHaveSingleItem().Kind.ShouldBe(StepKind.LeadProfessionalChanged);
    }

    [Fact]
    public void SameLeadById_RenamedOrNewPhone_IsNoChange() =>
        Steps(
            SocialCare("early-help", 2, r => r with { LeadProfessional = Lead("p1") with { Name = "Renamed", Phone = "1" } }),
            SocialCare("early-help", 1, r => r with { LeadProfessional = Lead("p1") })).ShouldBeEmpty();

    [Fact]
    public void LeadsWithoutIds_AreComparedByNameAndEmail()
    {
        var before = SocialCare("early-help", 1, r => r with { LeadProfessional = Lead(null) });

        Steps(SocialCare("early-help", 2, r => r with { LeadProfessional = Lead(null) with { Phone = "2" } }), before).ShouldBeEmpty();
        Steps(SocialCare("early-help", 2, r => r with { LeadProfessional = Lead(null) with { Email = "other@x.example" } }), before)
            .ShouldHaveSingleItem().Kind.ShouldBe(StepKind.LeadProfessionalChanged);
    }

    [Fact]
    public void AcceptedOnSet_IsAnAcceptance_AndANewLeadWhoHasAcceptedIsBoth()
    {
        var proposed = SocialCare("early-help", 1, r => r with { LeadProfessional = Lead("p1") });

        Steps(SocialCare("early-help", 2, r => r with { LeadProfessional = Lead("p1") with { AcceptedOn = Today } }), proposed)
            .ShouldHaveSingleItem().Kind.ShouldBe(StepKind.LeadProfessionalAccepted);
        Steps(SocialCare("early-help", 2, r => r with { LeadProfessional = Lead("p2") with { AcceptedOn = Today } }), proposed)
            .Select(s => s.Kind).ShouldBe([StepKind.LeadProfessionalChanged, StepKind.LeadProfessionalAccepted]);
    }

    [Fact]
    public void Closure_IsAClosureAndAStepDownToUniversal()
    {
        var closed = SocialCare("child-in-need", 2, r => r with { Status = "closed", ClosedOn = Today });

        Summary(Steps(closed, SocialCare("child-in-need", 1))).ShouldBe(
        [
            (StepKind.StepDown, "child-in-need", "universal", StepMarkers.RoutineClosure),
            (StepKind.Closure, "child-in-need", "universal", StepMarkers.None),
        ]);
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(364, true)]
    [InlineData(400, false)]
    public void StepUpSoonAfterAStepDown_IsAReReferral(int daysSinceStepDown, bool reReferral)
    {
        var input = new DetectionInput(SocialCare("child-in-need", 2), SocialCare("early-help", 1), [], Today.AddDays(-daysSinceStepDown), false);

        var step = _detector.Detect(input).Steps.ShouldHaveSingleItem();

        step.Markers.HasFlag(StepMarkers.ReReferral).ShouldBe(reReferral);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("9434765918")]
    public void ChildWithMissingOrInvalidNhsNumber_IsStillDetected_AndFlagged(string? nhsNumber)
    {
        var step = Steps(SocialCare("child-protection", 2, r => r with { NhsNumber = nhsNumber }), SocialCare("child-in-need", 1, r => r with { NhsNumber = nhsNumber }))
            .ShouldHaveSingleItem();

        step.Markers.ShouldBe(StepMarkers.InvalidNhsNumber);
    }

    [Theory]
    [InlineData(true, "9434765919", true)]
    [InlineData(true, "9434765918", false)]
    [InlineData(true, null, false)]
    [InlineData(false, "9434765919", false)]
    public void NhsNumberMatched_OnlyOnceANumberPasses_ForAChildWhoseGpNoticeWasWithheld(bool withheld, string? nhsNumber, bool matched)
    {
        var current = SocialCare("child-protection", 3, r => r with { NhsNumber = nhsNumber });
        var previous = SocialCare("child-protection", 2, r => r with { NhsNumber = "9434765918" });

        var steps = _detector.Detect(new DetectionInput(current, previous, [], null, false, GpNoticeWithheld: withheld)).Steps;

        Summary(steps).ShouldBe(matched ? [(StepKind.NhsNumberMatched, "child-protection", "child-protection", StepMarkers.None)] : []);
    }

    [Fact]
    public void StepIds_AreTheSameForTheSameStep_AndDifferOtherwise()
    {
        var first = Steps(SocialCare("child-protection", 2), SocialCare("early-help", 1))[0].Id;

        Steps(SocialCare("child-protection", 2), SocialCare("early-help", 1))[0].Id.ShouldBe(first);
        Steps(SocialCare("child-protection", 3), SocialCare("early-help", 1))[0].Id.ShouldNotBe(first);
        DetectedStep.IdFor("early-help", "SC-1", StepKind.StepUp, 2).ShouldNotBe(first);
        DetectedStep.IdFor("social-care", "SC-1", StepKind.StepIn, 2, "S1").ShouldNotBe(DetectedStep.IdFor("social-care", "SC-1", StepKind.StepIn, 2, "S2"));
    }

    [Fact]
    public void AcceptanceRecordedOnTheStepDownsProposedLead_IsTheProposedLeadsAcceptance_ToldOnce()
    {
        var agreed = SocialCare("child-in-need", 2, r => r with { StepDown = Agreed() });
        var accepted = SocialCare("child-in-need", 3, r => r with { StepDown = Agreed() with { ProposedLeadProfessional = Lead("p9") with { AcceptedOn = Today } } });

        var step = Steps(accepted, agreed).ShouldHaveSingleItem();

        (step.Kind, step.Subject).ShouldBe((StepKind.LeadProfessionalAccepted, DetectedStep.ProposedLeadSubject));
        Steps(SocialCare("child-in-need", 4, r => accepted.Record with { Version = 4 }), accepted).ShouldBeEmpty("the same acceptance again is no news");
        Steps(SocialCare("child-in-need", 3, r => r with { StepDown = Agreed() with { ProposedLeadProfessional = Lead("p9") with { AcceptedOn = Today.AddYears(-1) } } }), agreed)
            .ShouldBeEmpty("an acceptance before the agreement is of another episode");
    }

    [Fact]
    public void AServiceListedTwice_IsOneServiceWhoseLatestEntryStands()
    {
        var left = Service("S1") with { LeftOn = Today.AddDays(-20), LeftReason = "completed" };
        var rejoined = Service("S1") with { JoinedOn = Today.AddDays(-1) };
        var before = SocialCare("child-in-need", 1, r => r with { Services = [left] });

        Summary(Steps(SocialCare("child-in-need", 2, r => r with { Services = [left, rejoined] }), before)).Select(s => s.Kind).ShouldBe([StepKind.StepIn]);
        Steps(SocialCare("child-in-need", 2, r => r with { Services = [rejoined, left] }), SocialCare("child-in-need", 1, r => r with { Services = [left, rejoined] }))
            .ShouldBeEmpty("the order they are listed in changes nothing");
    }

    internal static StepDownAgreement Agreed() => new()
    {
        AgreedOn = Today.AddDays(-1),
        Forum = "tac-meeting",
        TargetLevel = "EH",
        ProposedLeadProfessional = Lead("p9"),
    };

    internal static Service Service(string id) => new() { ServiceId = id, Name = $"Service {id}", JoinedOn = Today.AddDays(-30) };

    internal static Professional Lead(string? id) => new() { Id = id, Name = $"Lead {id}", Email = $"lead{id}@council.example" };
}
