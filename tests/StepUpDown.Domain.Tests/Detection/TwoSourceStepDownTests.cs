using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Tests.Continuum;
using static StepUpDown.Domain.Tests.Detection.StepDetectorTests;

namespace StepUpDown.Domain.Tests.Detection;

/// <summary>
/// A child stepping down from child in need (social care) to early help (the early help system):
/// one journey of one child, whatever order the two systems report it in.
/// </summary>
public class TwoSourceStepDownTests
{
    private readonly StepDetector _detector = new(LevelMapTests.Default);

    private (StepKind Kind, string From, string To, StepMarkers Markers)[] Steps(SourceRecord current, SourceRecord? previous, params SourceRecord[] related) =>
        _detector.Detect(new DetectionInput(current, previous, related, null, false)).Steps
            .Where(s => s.Kind is StepKind.StepUp or StepKind.StepDown)
            .Select(s => (s.Kind, s.From.Code, s.To.Code, s.Markers))
            .ToArray();

    [Fact]
    public void EarlyHelpOpensWhileSocialCareHoldsChildInNeed_IsNoLevelStep() =>
        Steps(EarlyHelp("early-help", 1), null, SocialCare("child-in-need", 3)).ShouldBeEmpty();

    [Fact]
    public void SocialCareClosesAfterEarlyHelpOpened_IsOneStepDownFromChildInNeedToEarlyHelp() =>
        Steps(
            SocialCare("child-in-need", 4, r => r with { Status = "closed" }),
            SocialCare("child-in-need", 3, r => r with { StepDown = Agreed() }),
            EarlyHelp("early-help", 1)).ShouldBe([(StepKind.StepDown, "child-in-need", "early-help", StepMarkers.None)]);

    [Fact]
    public void SocialCareClosesWithNoAgreementButEarlyHelpOpen_IsAnUnplannedStepDownToEarlyHelp() =>
        Steps(SocialCare("child-in-need", 4, r => r with { Status = "closed" }), SocialCare("child-in-need", 3), EarlyHelp("early-help", 1))
            .ShouldBe([(StepKind.StepDown, "child-in-need", "early-help", StepMarkers.Unplanned)]);

    [Fact]
    public void AgreementRecordedOnlyInEarlyHelp_StillMakesTheStepDownPlanned() =>
        Steps(
            SocialCare("child-in-need", 4, r => r with { Status = "closed" }),
            SocialCare("child-in-need", 3),
            EarlyHelp("early-help", 1, r => r with { StepDown = Agreed() })).ShouldBe([(StepKind.StepDown, "child-in-need", "early-help", StepMarkers.None)]);

    [Fact]
    public void SocialCareRecordsEarlyHelpItself_IsAStepDownInOneSource() =>
        Steps(SocialCare("early-help", 4), SocialCare("child-in-need", 3, r => r with { StepDown = Agreed() }))
            .ShouldBe([(StepKind.StepDown, "child-in-need", "early-help", StepMarkers.None)]);

    [Fact]
    public void EarlyHelpClosesWhileSocialCareHoldsChildInNeed_IsNoLevelStep() =>
        Steps(EarlyHelp("early-help", 2, r => r with { Status = "closed" }), EarlyHelp("early-help", 1), SocialCare("child-in-need", 3))
            .ShouldBeEmpty();

    [Fact]
    public void SocialCareStepsUpWhileEarlyHelpOpen_IsAStepUpFromTheCombinedLevel() =>
        Steps(SocialCare("child-protection", 4), SocialCare("child-in-need", 3), EarlyHelp("early-help", 1))
            .ShouldBe([(StepKind.StepUp, "child-in-need", "child-protection", StepMarkers.None)]);

    [Fact]
    public void ChildProtectionEndsToChildInNeedWhileEarlyHelpOpen_IsAStepDownToChildInNeed() =>
        Steps(SocialCare("child-in-need", 5), SocialCare("child-protection", 4, r => r with { StepDown = Agreed() }), EarlyHelp("early-help", 1))
            .ShouldBe([(StepKind.StepDown, "child-protection", "child-in-need", StepMarkers.None)]);
}
