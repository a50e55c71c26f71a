using StepUpDown.Domain.Handovers;

namespace StepUpDown.Domain.Tests.Handovers;

public class WorkingDayCalendarTests
{
    private static readonly WorkingDayCalendar Shipped = WorkingDayCalendar.FromGovUk(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "bank-holidays.json")), "england-and-wales");

    [Theory]
    [InlineData("2026-12-25", "Christmas Day")]
    [InlineData("2026-12-28", "Boxing Day's substitute (26th is a Saturday)")]
    [InlineData("2027-12-27", "Christmas Day's substitute (25th is a Saturday)")]
    [InlineData("2027-03-26", "Good Friday")]
    [InlineData("2027-03-29", "Easter Monday")]
    [InlineData("2026-11-21", "a Saturday")]
    [InlineData("2026-11-22", "a Sunday")]
    public void IsWorkingDay_BankHolidaysAndWeekends_AreNot(string date, string because) =>
        Shipped.IsWorkingDay(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture)).ShouldBeFalse(because);

    [Theory]
    [InlineData("2026-12-24")]
    [InlineData("2026-12-29")]
    [InlineData("2026-11-23")]
    public void IsWorkingDay_OrdinaryWeekday_Is(string date) =>
        Shipped.IsWorkingDay(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture)).ShouldBeTrue();

    [Fact]
    public void WorkingDaysBetween_OverChristmas_SkipsHolidaysAndWeekend()
    {
        // Wed 23 Dec 2026 → Mon 4 Jan 2027: 24, 29, 30, 31 Dec and 4 Jan (25, 28 Dec and 1 Jan are holidays).
        Shipped.WorkingDaysBetween(new DateOnly(2026, 12, 23), new DateOnly(2027, 1, 4)).ShouldBe(5);
    }

    [Fact]
    public void WorkingDaysBetween_SameDayOrEarlier_IsZero()
    {
        Shipped.WorkingDaysBetween(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 23)).ShouldBe(0);
        Shipped.WorkingDaysBetween(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 20)).ShouldBe(0);
    }

    [Fact]
    public void WorkingDaysBetween_PastTheCalendarsLastYear_FailsClosedNamingTheYears()
    {
        var exception = Should.Throw<CalendarExhaustedException>(() =>
            Shipped.WorkingDaysBetween(new DateOnly(2027, 12, 20), new DateOnly(2028, 1, 5)));

        exception.Message.ShouldContain("2024 to 2027");
        exception.Message.ShouldContain("bank-holidays.json");
    }

    [Fact]
    public void IsWorkingDay_BeforeTheCalendarsFirstYear_FailsClosed() =>
        Should.Throw<CalendarExhaustedException>(() => Shipped.IsWorkingDay(new DateOnly(2023, 6, 1)));

    [Fact]
    public void FromGovUk_KeepsOnlyTheAskedDivision()
    {
        const string json = """
            {"england-and-wales": {"division": "england-and-wales", "events": [{"title": "Boxing Day", "date": "2026-12-28"}]},
             "scotland": {"division": "scotland", "events": [{"title": "St Andrew's Day", "date": "2026-11-30"}]}}
            """;

        var calendar = WorkingDayCalendar.FromGovUk(json, "england-and-wales");

        calendar.IsWorkingDay(new DateOnly(2026, 11, 30)).ShouldBeTrue();
        calendar.IsWorkingDay(new DateOnly(2026, 12, 28)).ShouldBeFalse();
    }

    [Fact]
    public void FromGovUk_MissingDivision_IsAFormatError() =>
        Should.Throw<FormatException>(() => WorkingDayCalendar.FromGovUk("""{"scotland": {"events": []}}""", "england-and-wales"))
            .Message.ShouldContain("england-and-wales");
}
