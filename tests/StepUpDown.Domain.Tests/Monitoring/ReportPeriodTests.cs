using System.Globalization;
using StepUpDown.Domain.Monitoring;

namespace StepUpDown.Domain.Tests.Monitoring;

public sealed class ReportPeriodTests
{
    [Theory]
    [InlineData("2026-01-01", "2026-01-01", "2026-03-31", "1 January 2026 to 31 March 2026 (Q4 2025/26)")]
    [InlineData("2026-05-17", "2026-04-01", "2026-06-30", "1 April 2026 to 30 June 2026 (Q1 2026/27)")]
    [InlineData("2026-09-30", "2026-07-01", "2026-09-30", "1 July 2026 to 30 September 2026 (Q2 2026/27)")]
    [InlineData("2026-12-31", "2026-10-01", "2026-12-31", "1 October 2026 to 31 December 2026 (Q3 2026/27)")]
    public void QuarterOf_HoldsTheDay_AndIsNamedInTheFinancialYear(string day, string from, string to, string name)
    {
        var quarter = ReportPeriod.QuarterOf(DateOnly.Parse(day, CultureInfo.InvariantCulture));

        quarter.ShouldBe(new ReportPeriod(DateOnly.Parse(from, CultureInfo.InvariantCulture), DateOnly.Parse(to, CultureInfo.InvariantCulture)));
        quarter.ToString().ShouldBe(name);
    }

    [Fact]
    public void PreviousAndNextQuarter_CrossTheYear()
    {
        var winter = ReportPeriod.QuarterOf(new DateOnly(2027, 2, 1));

        winter.PreviousQuarter().ShouldBe(new ReportPeriod(new DateOnly(2026, 10, 1), new DateOnly(2026, 12, 31)));
        winter.NextQuarter().ShouldBe(new ReportPeriod(new DateOnly(2027, 4, 1), new DateOnly(2027, 6, 30)));
    }

    [Fact]
    public void AnyOtherRange_IsNamedByItsDatesOnly()
    {
        new ReportPeriod(new DateOnly(2026, 7, 1), new DateOnly(2026, 8, 15)).ToString().ShouldBe("1 July 2026 to 15 August 2026");
    }

    [Theory]
    [InlineData("2026-07-01", "2026-09-30", true)]
    [InlineData("2026-07-01", "2026-07-01", true)]
    [InlineData("2026-09-30", "2026-07-01", false)]
    [InlineData("30/09/2026", "2026-10-01", false)]
    [InlineData("2026-07-01", null, false)]
    [InlineData("2022-01-01", "2026-12-31", true)]
    [InlineData("2022-01-01", "2027-01-01", false)]
    [InlineData("0001-01-02", "9999-06-30", false)]
    [InlineData("9999-01-01", "9999-06-30", true)]
    public void TryParse_TakesTwoIsoDates_FirstDayFirst(string? from, string? to, bool parses)
    {
        ReportPeriod.TryParse(from, to, out var period).ShouldBe(parses);
        if (parses)
        {
            period.ShouldBe(new ReportPeriod(DateOnly.Parse(from!, CultureInfo.InvariantCulture), DateOnly.Parse(to!, CultureInfo.InvariantCulture)));
        }
    }

    [Theory]
    [InlineData("2026-06-29", "2026-06-29")] // a Monday
    [InlineData("2026-07-01", "2026-06-29")]
    [InlineData("2026-07-05", "2026-06-29")] // a Sunday
    public void WeekOf_IsTheMondayThatStartsTheWeek(string day, string monday) =>
        ReportPeriod.WeekOf(DateOnly.Parse(day, CultureInfo.InvariantCulture)).ShouldBe(DateOnly.Parse(monday, CultureInfo.InvariantCulture));
}
