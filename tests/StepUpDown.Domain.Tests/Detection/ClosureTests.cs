using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Records;
using StepUpDown.Domain.Tests.Continuum;
using static StepUpDown.Domain.Tests.Detection.StepDetectorTests;

namespace StepUpDown.Domain.Tests.Detection;

/// <summary>Closures that are not step downs (design): a child who died, a case that moved to another council; every other reason a routine closure.</summary>
public class ClosureTests
{
    private static readonly DateOnly Today = new(2026, 11, 20);
    private readonly StepDetector _detector = new(LevelMapTests.Default);

    private static Func<ChildRecord, ChildRecord> ClosedAs(string? reason, string? transferredTo = null) =>
        r => r with { Status = "closed", ClosedOn = Today, ClosureReason = reason, TransferredTo = transferredTo };

    private (StepKind Kind, string To)[] Steps(SourceRecord current, SourceRecord? previous, params SourceRecord[] related) =>
        _detector.Detect(new DetectionInput(current, previous, related, null, false)).Steps.Select(s => (s.Kind, s.To.Code)).ToArray();

    public static TheoryData<string?, StepKind[]> Reasons => new()
    {
        { null, [StepKind.StepDown, StepKind.Closure] },
        { "needs-met", [StepKind.StepDown, StepKind.Closure] },
        { "no-further-action", [StepKind.StepDown, StepKind.Closure] },
        { "referred-to-early-help", [StepKind.StepDown, StepKind.Closure] },
        { "case closed by manager", [StepKind.StepDown, StepKind.Closure] },
        { "died", [StepKind.ChildDied] },
        { " Died ", [StepKind.ChildDied] },
        { "transferred-out", [StepKind.TransferredOut] },
        { "TRANSFERRED_OUT", [StepKind.TransferredOut] },
        { "transferred out", [StepKind.TransferredOut] },
    };

    [Theory]
    [MemberData(nameof(Reasons))]
    public void AClosure_IsAStepDownToUniversal_UnlessTheChildDiedOrTheCaseMovedAway(string? reason, StepKind[] expected) =>
        Steps(SocialCare("child-protection", 2, ClosedAs(reason)), SocialCare("child-protection", 1)).Select(s => s.Kind).ShouldBe(expected);

    [Fact]
    public void AChildWhoDied_WhileAnotherSystemHoldsThemOpen_IsNotAStepDownToThatLevel_AndOpensNoHandover()
    {
        var steps = _detector.Detect(new DetectionInput(
            SocialCare("child-in-need", 2, ClosedAs("died")), SocialCare("child-in-need", 1), [EarlyHelp("early-help", 1)], null, false)).Steps;

        steps.Select(s => s.Kind).ShouldBe([StepKind.ChildDied]);
        steps.Select(s => HandoverOpening.OpenedBy(s, SocialCare("child-in-need", 2, ClosedAs("died")))).ShouldAllBe(opening => opening == null);
        steps.Single().EndsAnEpisode.ShouldBeFalse("never a re-referral later");
    }

    [Fact]
    public void WhileAnyRecordSaysTheChildDied_NothingElseOfTheirRecordsIsAStep()
    {
        var died = SocialCare("child-in-need", 2, ClosedAs("died"));

        Steps(EarlyHelp("child-protection", 2, r => r with { LeadProfessional = new Professional { Name = "Someone Else", Email = "else@council.example" } }), EarlyHelp("early-help", 1), died)
            .ShouldBeEmpty("no step up, no change of lead, told to nobody");
        Steps(EarlyHelp("early-help", 2, ClosedAs("needs-met")), EarlyHelp("early-help", 1), died)
            .ShouldBe([(StepKind.ChildDied, "universal")], "the last record closing is told to the MASSH as what it is");
    }

    [Fact]
    public void AHeldFallEnds_WhenTheChildDies()
    {
        var detection = _detector.Detect(new DetectionInput(
            SocialCare("child-in-need", 2, ClosedAs("died")), SocialCare("child-in-need", 1), [], null, false,
            Journey: new JourneyState(true, LevelMapTests.Default.Get("early-help"), LevelMapTests.Default.Get("child-in-need"))));

        detection.HeldFrom.ShouldBeNull();
        detection.Steps.Select(s => s.Kind).ShouldBe([StepKind.ChildDied]);
    }

    [Fact]
    public void ARecordReopenedAfterADeathWasRecordedInError_IsJudgedAsBefore() =>
        Steps(SocialCare("child-protection", 3), SocialCare("child-in-need", 2, ClosedAs("died"))).Select(s => s.Kind)
            .ShouldBe([StepKind.StepUp], "the record no longer says the child died");

    public static TheoryData<string, string?, string?> Ends => new()
    {
        { "open", null, null },
        { "needs-met", null, null },
        { "died", null, "the child died" },
        { "transferred-out", null, "the case moved to another council" },
        { "open", "died", "the child died" },
        { "open", "transferred-out", null },
    };

    [Theory]
    [MemberData(nameof(Ends))]
    public void AHandover_EndsWhenAnyRecordSaysTheChildDied_OrItsOwnRecordMovedAway(string own, string? other, string? expected)
    {
        var ownRecord = own == "open" ? SocialCare("child-in-need", 1).Record : SocialCare("child-in-need", 1, ClosedAs(own)).Record;
        var otherRecord = other is null ? EarlyHelp("early-help", 1).Record : EarlyHelp("early-help", 1, ClosedAs(other)).Record;

        Closures.EndsTheHandover(ownRecord, [ownRecord, otherRecord]).ShouldBe(expected);
    }
}
