using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Tests.Records;

public class NhsNumberTests
{
    [Theory]
    [InlineData("9434765919")]
    [InlineData("9434765870")]
    [InlineData("4010232137")]
    public void IsValid_NumberWithCorrectCheckDigit_IsTrue(string value) =>
        NhsNumber.IsValid(value).ShouldBeTrue();

    [Theory]
    [InlineData("9434765918", "wrong check digit")]
    [InlineData("943476591", "nine digits")]
    [InlineData("94347659190", "eleven digits")]
    [InlineData("943 476 5919", "spaces")]
    [InlineData("94347659A9", "a letter")]
    [InlineData("", "empty")]
    [InlineData(null, "missing")]
    [InlineData("1000000010", "check digit would be 10")]
    public void IsValid_MalformedNumber_IsFalse(string? value, string because) =>
        NhsNumber.IsValid(value).ShouldBeFalse(because);
}
