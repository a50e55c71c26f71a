using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Tests.Records;

namespace StepUpDown.Domain.Tests.Continuum;

public class LevelMapTests
{
    internal static readonly ContinuumOfNeed Default = new(
    [
        new Level("universal", "Universal", 0),
        new Level("early-help", "Early help", 0),
        new Level("child-in-need", "Child in need", 0),
        new Level("child-protection", "Child protection", 0),
        new Level("looked-after", "Looked after", 0),
    ]);

    private static readonly LevelMap SocialCare = new(Default, new Dictionary<string, string>
    {
        ["CIN"] = "child-in-need",
        ["CP"] = "child-protection",
    });

    [Fact]
    public void Continuum_RanksLevelsInTheOrderGiven_LowestFirst()
    {
        Default.Levels.Select(l => l.Rank).ShouldBe([1, 2, 3, 4, 5]);
        Default.Lowest.Code.ShouldBe("universal");
    }

    [Fact]
    public void Continuum_DuplicateCode_IsRejected() =>
        Should.Throw<ArgumentException>(() => new ContinuumOfNeed([new Level("a", "A", 0), new Level("A", "A again", 0)]));

    [Fact]
    public void LevelMap_CodeToUnknownLevel_IsRejected() =>
        Should.Throw<KeyNotFoundException>(() => new LevelMap(Default, new Dictionary<string, string> { ["X"] = "nowhere" }));

    [Fact]
    public void TryResolve_OpenRecord_MapsItsSourceCode_IgnoringCase()
    {
        SocialCare.TryResolve(RecordValidatorTests.Valid() with { LevelOfNeed = "cp" }, out var level).ShouldBeTrue();
        level!.Code.ShouldBe("child-protection");
    }

    [Fact]
    public void TryResolve_ClosedRecord_RestsAtTheLowestLevel()
    {
        SocialCare.TryResolve(RecordValidatorTests.Valid() with { Status = "closed", LevelOfNeed = "CP" }, out var level).ShouldBeTrue();
        level!.Code.ShouldBe("universal");
    }

    [Fact]
    public void TryResolve_UnknownCode_IsFalse() =>
        SocialCare.TryResolve(RecordValidatorTests.Valid() with { LevelOfNeed = "EHA" }, out _).ShouldBeFalse();
}

public class LevelMapsTests
{
    private static readonly LevelMaps Maps = new(LevelMapTests.Default,
    [
        KeyValuePair.Create("social-care", (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["CIN"] = "child-in-need", ["CP"] = "child-protection" }),
        KeyValuePair.Create("early-help", (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["EH"] = "early-help" }),
    ]);

    [Theory]
    [InlineData("CIN", "child-in-need")] // the source's own code
    [InlineData("EH", "early-help")]     // a code only the system it hands over to uses
    [InlineData("early-help", "early-help")] // the continuum's own code
    [InlineData("XX", null)]
    [InlineData("", null)]
    public void TryMapTarget_ASocialCareStepDown_ReadsTheCodeOfTheSystemItHandsOverTo(string code, string? expected)
    {
        Maps.TryMapTarget("social-care", code, out var level).ShouldBe(expected is not null);
        level?.Code.ShouldBe(expected);
    }
}
