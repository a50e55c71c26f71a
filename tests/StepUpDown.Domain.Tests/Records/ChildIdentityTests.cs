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
    [InlineData("0000000000", null)] // passes Modulus 11, but a placeholder identifies nobody
    [InlineData("1111111111", null)]
    public void UsableNhsNumber_IsOnlyAValidOneThatNamesAChild(string? nhsNumber, string? expected) =>
        ChildIdentity.UsableNhsNumber(RecordValidatorTests.Valid() with { NhsNumber = nhsNumber }).ShouldBe(expected);

    [Fact]
    public void UsableNhsNumber_HeldByAnotherChildInTheSource_IsNone() =>
        ChildIdentity.UsableNhsNumber(RecordValidatorTests.Valid() with { NhsNumber = "9434765919" }, sharedInSource: true).ShouldBeNull();

    [Fact]
    public void ANumberTwoChildrenHold_IdentifiesNeither_ButOneChildTwiceStillIsOne()
    {
        var shared = ChildIdentity.ChildrenSharingANumber(
            [("SC-1", "9434765919"), ("SC-2", "9434765919"), ("SC-3", "9434765870"), ("SC-3", "9434765870"), ("SC-4", "9434765862")]);

        shared.Order(StringComparer.Ordinal).ShouldBe(["SC-1", "SC-2"]);
    }

    [Theory]
    [InlineData("9434765919", "9434765870", true)]
    [InlineData("9434765919", "9434765919", false)]
    [InlineData("9434765919", null, false)] // a record with no usable number may be the same child: its external ids say so
    [InlineData(null, "9434765919", false)]
    [InlineData(null, null, false)]
    public void TwoUsableNumbersThatDiffer_AreTwoChildren_WhateverTheirExternalIdsSay(string? one, string? other, bool disagree) =>
        ChildIdentity.NumbersDisagree(one, other).ShouldBe(disagree);
}
