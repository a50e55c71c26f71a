using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Tests.Records;

public class RecordValidatorTests
{
    internal static ChildRecord Valid() => new()
    {
        ChildId = "SC-1",
        Name = new PersonName("Ada", "Lovelace"),
        DateOfBirth = new DateOnly(2015, 12, 10),
        LevelOfNeed = "CIN",
        Status = "open",
        UpdatedAt = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero),
        Version = 1,
    };

    [Fact]
    public void Validate_CompleteRecord_HasNoReasons() =>
        RecordValidator.Validate(Valid()).ShouldBeEmpty();

    [Fact]
    public void Validate_MissingFields_NamesEachFieldButNoValue()
    {
        var record = Valid() with { Name = new PersonName("Ada", null), DateOfBirth = null, Status = "pending", Version = null };

        var reasons = RecordValidator.Validate(record);

        reasons.ShouldBe(["name.given and name.family are required", "dateOfBirth is missing", "status must be open or closed", "version is missing"]);
        string.Join(" ", reasons).ShouldNotContain("Ada");
    }

    public static TheoryData<string, string?> Dates => new()
    {
        { "2026-11-18", null },
        { "2000-01-01", null },
        { "2027-12-07", null },
        { "2002-03-01", null },
        { "1999-12-31", "stepDown.agreedOn cannot be a real date (before 2000 or more than a year ahead)" },
        { "2027-12-08", "stepDown.agreedOn cannot be a real date (before 2000 or more than a year ahead)" },
        { "0001-01-01", "stepDown.agreedOn cannot be a real date (before 2000 or more than a year ahead)" },
    };

    /// <summary>2002 for 2026 is a real date (the sweep sets it aside against the calendar); 1999 or a year ahead cannot be, and is quarantined at read.</summary>
    [Theory]
    [MemberData(nameof(Dates))]
    public void Validate_AJourneyDate_MustBeReal(string agreedOn, string? reason)
    {
        var record = Valid() with { StepDown = new StepDownAgreement { AgreedOn = DateOnly.Parse(agreedOn, System.Globalization.CultureInfo.InvariantCulture) } };

        var reasons = RecordValidator.Validate(record, new DateOnly(2026, 12, 7));

        reasons.ShouldBe(reason is null ? [] : [reason]);
    }

    [Fact]
    public void Validate_WithoutToday_ChecksNoDates() =>
        RecordValidator.Validate(Valid() with { ClosedOn = new DateOnly(1900, 1, 1) }).ShouldBeEmpty();
}
