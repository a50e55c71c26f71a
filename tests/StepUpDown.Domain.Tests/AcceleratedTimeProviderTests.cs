using Microsoft.Extensions.Time.Testing;
using StepUpDown.Domain.Time;

namespace StepUpDown.Domain.Tests;

public sealed class AcceleratedTimeProviderTests
{
    [Fact]
    public void AcceleratedClock_RunsADayAMinuteAtSpeed1440()
    {
        var real = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        var clock = new AcceleratedTimeProvider(real, 1440);

        real.Advance(TimeSpan.FromMinutes(1));

        clock.GetUtcNow().ShouldBe(new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void AcceleratedClock_StartsAtTheRealTime() =>
        new AcceleratedTimeProvider(new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero)), 1440)
            .GetUtcNow().ShouldBe(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
}
