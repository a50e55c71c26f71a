using System.Globalization;
using StepUpDown.Integration.Handovers;

namespace StepUpDown.Integration.Tests.Handovers;

/// <summary>
/// The council's clock (<c>Handovers:TimeZone</c>), as working days, reports and the audit trail
/// read a stored UTC instant: an evening in British Summer Time is the next day's small hours.
/// </summary>
public sealed class CouncilClockTests
{
    [Theory]
    [InlineData("2026-07-01T23:30:00Z", "2026-07-02 00:30:00", "2026-07-02")] // BST: UTC+1
    [InlineData("2026-12-01T23:30:00Z", "2026-12-01 23:30:00", "2026-12-01")] // GMT
    [InlineData("2026-03-29T00:59:59Z", "2026-03-29 00:59:59", "2026-03-29")] // the second before the clocks go forward
    [InlineData("2026-03-29T01:00:00Z", "2026-03-29 02:00:00", "2026-03-29")]
    public void AStoredInstant_ReadsOnTheCouncilsClock(string instant, string local, string date)
    {
        var council = new HandoverOptions { TimeZone = "Europe/London" };
        var at = DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

        council.LocalAt(at).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture).ShouldBe(local);
        council.DateAt(at).ShouldBe(DateOnly.Parse(date, CultureInfo.InvariantCulture));
    }
}
