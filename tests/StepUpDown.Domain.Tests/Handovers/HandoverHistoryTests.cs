using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;

namespace StepUpDown.Domain.Tests.Handovers;

/// <summary>The checklist's facts read from a handover's history: pure, in milliseconds.</summary>
public class HandoverHistoryTests
{
    private static readonly DateTime Opened = new(2026, 11, 2, 10, 0, 0, DateTimeKind.Utc);
    private static readonly DateOnly Started = new(2026, 11, 2);

    private static StoredStep Step(StepKind kind, int minutesAfterOpening, int daysAfterStart = 0) =>
        new(kind, Opened.AddMinutes(minutesAfterOpening), Started.AddDays(daysAfterStart));

    private static HandoverHistory Told(params StoredStep[] steps) => new([], steps, []);

    [Theory]
    [InlineData(StepKind.StepDown, 5, 0, true)]
    [InlineData(StepKind.NhsNumberMatched, 5, 0, true)]
    [InlineData(StepKind.StepDown, 0, 0, true)] // found the moment the handover opened
    [InlineData(StepKind.StepDown, -60, 0, true)] // found earlier (another system), but occurred the day it started
    [InlineData(StepKind.StepDown, -60, -1, false)] // an earlier step down's notice
    [InlineData(StepKind.StepUp, 5, 0, false)]
    [InlineData(StepKind.GpPracticeChanged, 5, 0, false)]
    public void TheGpIsNotified_ByTheNoticeOfThisFall_OrOfTheMatchedNumbersPlan(StepKind kind, int minutes, int days, bool notified) =>
        Told(Step(kind, minutes, days)).GpNotified(Opened, Started).ShouldBe(notified);

    [Fact]
    public void NothingSentToTheGp_IsNotNotified() =>
        new HandoverHistory([Step(StepKind.StepDown, 5)], [], []).GpNotified(Opened, Started).ShouldBeFalse();

    [Theory]
    [InlineData(StepKind.StepUp, 1, true)]
    [InlineData(StepKind.StepUp, 0, false)]
    [InlineData(StepKind.StepUp, -1, false)]
    [InlineData(StepKind.StepIn, 5, false)]
    public void TheChildSteppedBackUp_OnlyByAStepUpFoundAfterTheHandoverOpened(StepKind kind, int minutes, bool steppedUp) =>
        new HandoverHistory([Step(kind, minutes)], [], []).SteppedBackUp(Opened).ShouldBe(steppedUp);

    [Theory]
    [InlineData(60, true)]
    [InlineData(0, false)]
    [InlineData(-60, false)]
    public void AHandoverIsSuperseded_ByALaterOneOfTheSameRecord(int minutes, bool superseded) =>
        new HandoverHistory([], [], [Opened.AddMinutes(minutes)]).Superseded(Opened).ShouldBe(superseded);
}
