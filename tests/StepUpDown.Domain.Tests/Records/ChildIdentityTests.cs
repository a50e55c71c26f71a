using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Tests.Records;

public class ChildIdentityTests
{
    [Fact]
    public void ExternalKeys_NameEachOtherSystemRecordOnce_SkippingBlanks()
    {
        var record = RecordValidatorTests.Valid() with
        {
            ExternalIds = [new ExternalId("early-help", "EH-7"), new ExternalId("early-help", "EH-7"), new ExternalId("", "X"), new ExternalId("health", " ")],
        };

        ChildIdentity.ExternalKeys(record).ShouldBe(["early-help|EH-7"]);
    }

    [Theory]
    [InlineData("9434765919", "9434765919")]
    [InlineData("9434765918", null)]
    [InlineData(null, null)]
    public void MatchableNhsNumber_IsOnlyAValidOne(string? nhsNumber, string? expected) =>
        ChildIdentity.MatchableNhsNumber(RecordValidatorTests.Valid() with { NhsNumber = nhsNumber }).ShouldBe(expected);
}
