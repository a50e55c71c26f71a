using System.Globalization;
using StepUpDown.Domain.Handovers;

namespace StepUpDown.Domain.Tests.Handovers;

/// <summary>What a reminder or an escalation says comes next, and when.</summary>
public class NextStageTests
{
    private static readonly WorkingDayCalendar Shipped = WorkingDayCalendar.FromGovUk(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "bank-holidays.json")), "england-and-wales");

    private static readonly EscalationLadder Ladder = new(
        [
            new EscalationStage("Reminder", 3, ["proposed-lead"], "handover-reminder"),
            new EscalationStage("Stage 1", 5, ["team-manager"], "handover-escalation"),
            new EscalationStage("Stage 2", 10, ["team-manager", "agency-manager"], "handover-escalation"),
        ],
        DisagreementStage: 2,
        RepeatLastStageWorkingDays: 5);

    private static DateOnly Day(string date) => DateOnly.Parse(date, CultureInfo.InvariantCulture);

    [Fact]
    public void AfterTheReminder_Stage1_OnTheDayItsWorkingDaysAreReached() =>
        Ladder.Next(0, Day("2026-11-02"), Day("2026-11-05"), Shipped).ShouldBe((Ladder.Stages[1], Day("2026-11-09")));

    [Fact]
    public void OverChristmas_TheDateSkipsTheBankHolidaysAndTheWeekend() =>
        Ladder.Next(1, Day("2026-12-15"), Day("2026-12-22"), Shipped)!.Value.On.ShouldBe(Day("2026-12-31"), "10 working days after 15 December, with Christmas Day and Boxing Day's substitute (the 28th) off");

    [Fact]
    public void ADisagreementThatJumpedAhead_NeverNamesADayAlreadyPast() =>
        Ladder.Next(1, Day("2026-11-02"), Day("2026-11-20"), Shipped)!.Value.On.ShouldBe(Day("2026-11-23"), "stage 2 was due on the 16th: the next working day");

    [Fact]
    public void AfterTheLastStage_ItComesAgainEveryRepeatInterval_OrNeverWithoutOne()
    {
        Ladder.Next(2, Day("2026-11-02"), Day("2026-11-16"), Shipped).ShouldBe((Ladder.Stages[2], Day("2026-11-23")));
        (Ladder with { RepeatLastStageWorkingDays = 0 }).Next(2, Day("2026-11-02"), Day("2026-11-16"), Shipped).ShouldBeNull();
    }
}
