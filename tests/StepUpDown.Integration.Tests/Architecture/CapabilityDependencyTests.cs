using System.Text.RegularExpressions;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Architecture;

/// <summary>
/// The capability folders of <c>StepUpDown.Integration</c> depend on each other one way (the
/// README's layout section draws it): a folder may name the folders of a lower layer, never one of
/// its own layer or a higher one. Read from the source, so a <c>using</c>, a qualified name and a
/// doc comment's <c>cref</c> all count.
/// </summary>
public sealed partial class CapabilityDependencyTests
{
    /// <summary>Highest first: the readers and the sources of work, then who acts on it, then what everyone stands on.</summary>
    private static readonly string[][] Layers =
    [
        ["Monitoring", "Retention"],
        ["CaseFeeds"],
        ["Handovers", "DeliveryEvidence"],
        ["Notifications", "ChildRecords"],
        ["Mail"],
        ["Dashboard", "Storage"],
        ["Configuration", "Health", "Jobs", "Telemetry"],
    ];

    private static readonly string Source = Path.Combine(RepositoryRoot.Path, "src", "StepUpDown.Integration");

    [Fact]
    public void EveryCapabilityFolder_HasALayer()
    {
        var folders = Directory.GetDirectories(Source).Select(Path.GetFileName).Where(name => name is not ("bin" or "obj")).Order().ToArray();

        folders.ShouldBe(Layers.SelectMany(layer => layer).Order().ToArray()!);
    }

    [Fact]
    public void CapabilityFolders_DependOnLowerLayersOnly()
    {
        var backEdges = Dependencies()
            .Where(edge => LayerOf(edge.To) >= LayerOf(edge.From))
            .Select(edge => $"{edge.From} -> {edge.To} ({edge.File})")
            .Distinct()
            .ToArray();

        backEdges.ShouldBeEmpty();
    }

    [Fact]
    public void TheScan_SeesEachWayAFolderIsNamed()
    {
        var named = References("""
            using StepUpDown.Integration.Storage;
            var a = StepUpDown.Integration.Handovers.HandoverStore.X;
            /// <see cref="DeliveryEvidence.BounceMailbox"/>
            var b = Domain.Notifications.RecipientRoles.Gp; var c = page.Handovers.Count;
            """).Order().ToArray();

        named.ShouldBe(["DeliveryEvidence", "Handovers", "Storage"]);
    }

    private static int LayerOf(string folder) => Array.FindIndex(Layers, layer => layer.Contains(folder)) is >= 0 and var index
        ? Layers.Length - index
        : throw new InvalidOperationException($"{folder} is in no layer.");

    private static IEnumerable<(string From, string To, string File)> Dependencies()
    {
        var folders = Layers.SelectMany(layer => layer).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Source, file);
            var from = relative.Split(Path.DirectorySeparatorChar)[0];
            if (!folders.Contains(from))
            {
                continue;
            }

            foreach (var to in References(File.ReadAllText(file)).Where(folders.Contains).Where(to => to != from))
            {
                yield return (from, to, relative);
            }
        }
    }

    /// <summary>The folder names a source text names: in a using, a qualified name, or a bare <c>Folder.Type</c> (not a member, not a Domain namespace).</summary>
    private static IEnumerable<string> References(string text) =>
        FolderReference().Matches(text).Select(match => match.Groups["folder"].Value).Distinct(StringComparer.Ordinal)
            .Where(folder => Layers.Any(layer => layer.Contains(folder)));

    [GeneratedRegex(@"StepUpDown\.Integration\.(?<folder>\w+)\b|(?<![\w.])(?<folder>[A-Z]\w+)\.[A-Z]")]
    private static partial Regex FolderReference();
}
