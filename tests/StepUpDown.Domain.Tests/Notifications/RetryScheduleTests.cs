using StepUpDown.Domain.Notifications;

namespace StepUpDown.Domain.Tests.Notifications;

public sealed class RetryScheduleTests
{
    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 46)]
    [InlineData(3, 76)]
    [InlineData(4, 156)]
    [InlineData(5, 346)]
    [InlineData(8, 2536)]
    [InlineData(10, 6726)]
    public void TheDefaultCurve_IsHangfiresWithoutItsSpread(int attemptsMade, int seconds) =>
        new RetrySchedule(10).After(attemptsMade).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData(10, 11)]
    [InlineData(3, 4)]
    [InlineData(0, 1)]
    public void AfterTheLastRetry_TheNoticeIsFailed(int maxRetries, int attemptsMade) =>
        new RetrySchedule(maxRetries).After(attemptsMade).ShouldBeNull();

    [Fact]
    public void TenRetries_SpanAboutFourAndAHalfHours()
    {
        var schedule = new RetrySchedule(10);
        var total = Enumerable.Range(1, 10).Sum(attempts => schedule.After(attempts)!.Value.TotalSeconds);

        TimeSpan.FromSeconds(total).ShouldBeInRange(TimeSpan.FromHours(4), TimeSpan.FromHours(5));
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 300)]
    [InlineData(3, 300)]
    [InlineData(5, 300)]
    public void ACouncilsOwnDelays_RepeatTheLast(int attemptsMade, int seconds) =>
        new RetrySchedule(5, [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)]).After(attemptsMade).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void ACouncilsOwnDelays_StillEndAtTheLastRetry() =>
        new RetrySchedule(5, [TimeSpan.FromMinutes(1)]).After(6).ShouldBeNull();

    [Theory]
    [InlineData(0, 30)]
    [InlineData(10, 30)]
    public void ANoticeNotTried_WaitsAsAfterItsFirstAttempt_EvenWithNoRetriesLeft(int maxRetries, int seconds) =>
        new RetrySchedule(maxRetries).Untried.ShouldBe(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void ANoticeNotTried_WaitsACouncilsFirstDelay() =>
        new RetrySchedule(5, [TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)]).Untried.ShouldBe(TimeSpan.FromMinutes(2));
}
