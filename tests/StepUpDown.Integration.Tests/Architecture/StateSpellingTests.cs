using System.Text.RegularExpressions;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Architecture;

/// <summary>
/// One owner spells each state machine's states: SQL anywhere gets the ledger's (its states and
/// its failure kinds) from <c>NotificationStates</c> and the handovers' from <c>HandoverStates</c>, never as a literal
/// (migrations, which are history, aside).
/// </summary>
public sealed class StateSpellingTests
{
    private static readonly string Source = Path.Combine(RepositoryRoot.Path, "src");

    private static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                           && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Theory]
    [InlineData("NotificationState.cs", "pending|sending|sent|written|failed|withheld|bounced|not-reached|deferred|refused")]
    [InlineData("HandoverStore.cs", "open|withdrawn|complete")]
    public void NoFileButTheOwner_SpellsAStateInSql(string owner, string states)
    {
        var literal = new Regex($"'({states})'");
        var spelt = Files()
            .Where(file => Path.GetFileName(file) != owner)
            .Where(file => literal.IsMatch(File.ReadAllText(file)))
            .Select(file => Path.GetRelativePath(Source, file))
            .ToList();

        spelt.ShouldBeEmpty();
    }

    [Fact]
    public void TheOwners_AreWhereTheTestLooks()
    {
        Files().Count(file => Path.GetFileName(file) is "NotificationState.cs" or "HandoverStore.cs").ShouldBe(2);
        File.ReadAllText(Files().Single(file => Path.GetFileName(file) == "NotificationState.cs")).ShouldContain("\"bounced\"");
    }
}
