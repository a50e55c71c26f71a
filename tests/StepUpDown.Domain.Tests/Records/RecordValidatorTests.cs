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
}
