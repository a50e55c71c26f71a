using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;
using StepUpDown.Domain.Tests.Continuum;
using StepUpDown.Domain.Tests.Records;

namespace StepUpDown.Domain.Tests.Detection;

public class StepDetectorTests
{
    private readonly StepDetector _detector = new(LevelMapTests.Default);

    private static ChildRecord Record(long version) => RecordValidatorTests.Valid() with { Version = version };

    private StepUpDown.Domain.Detection.Detection Detect(StoredState? previous, long version, string level, bool baseline = false) =>
        _detector.Detect("social-care", previous, Record(version), LevelMapTests.Default.Get(level), baseline);

    [Theory]
    [InlineData("early-help", "child-protection", StepKind.StepUp)]
    [InlineData("universal", "early-help", StepKind.StepUp)]
    [InlineData("child-in-need", "looked-after", StepKind.StepUp)]
    [InlineData("child-protection", "child-in-need", StepKind.StepDown)]
    [InlineData("child-in-need", "universal", StepKind.StepDown)]
    public void Detect_LevelChange_IsOneStepFromTheStoredLevelToTheNewOne(string from, string to, StepKind kind)
    {
        var detection = Detect(new StoredState(from, 4), 5, to);

        detection.Outcome.ShouldBe(DetectionOutcome.Changed);
        var step = detection.Steps.ShouldHaveSingleItem();
        (step.Kind, step.From.Code, step.To.Code, step.FromVersion, step.ToVersion).ShouldBe((kind, from, to, 4L, 5L));
    }

    [Fact]
    public void Detect_SameLevelNewerVersion_IsStoredWithoutSteps()
    {
        var detection = Detect(new StoredState("child-in-need", 4), 5, "child-in-need");

        detection.Outcome.ShouldBe(DetectionOutcome.Changed);
        detection.Steps.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public void Detect_SameOrLowerVersion_IsAReplayThatChangesNothing(long version)
    {
        var detection = Detect(new StoredState("early-help", 5), version, "child-protection");

        detection.Outcome.ShouldBe(DetectionOutcome.Replay);
        detection.Steps.ShouldBeEmpty();
    }

    [Fact]
    public void Detect_DuringBaseline_StoresWithoutSteps_EvenForANewHighLevelChild()
    {
        var detection = Detect(null, 1, "looked-after", baseline: true);

        detection.Outcome.ShouldBe(DetectionOutcome.Baseline);
        detection.Steps.ShouldBeEmpty();
    }

    [Fact]
    public void Detect_ChildNewAfterBaseline_StepsUpFromUniversal()
    {
        var step = Detect(null, 1, "early-help").Steps.ShouldHaveSingleItem();

        (step.Kind, step.From.Code, step.FromVersion).ShouldBe((StepKind.StepUp, "universal", (long?)null));
    }

    [Fact]
    public void Detect_ChildNewAfterBaselineAtUniversal_IsNoStep() =>
        Detect(null, 1, "universal").Steps.ShouldBeEmpty();

    [Fact]
    public void StepId_IsTheSameForTheSameStep_AndDiffersOtherwise()
    {
        var first = Detect(new StoredState("early-help", 1), 2, "child-protection").Steps[0].Id;
        var again = Detect(new StoredState("early-help", 1), 2, "child-protection").Steps[0].Id;
        var later = Detect(new StoredState("early-help", 1), 3, "child-protection").Steps[0].Id;

        again.ShouldBe(first);
        later.ShouldNotBe(first);
        DetectedStep.IdFor("early-help", "SC-1", StepKind.StepUp, 2).ShouldNotBe(first);
    }
}
