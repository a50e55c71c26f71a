namespace StepUpDown.Domain.Continuum;

/// <summary>The council's ordered levels of need, lowest first.</summary>
public sealed class ContinuumOfNeed
{
    private readonly Dictionary<string, Level> _byCode;

    /// <summary>Builds the continuum; levels are ranked in the order given, the first being the lowest.</summary>
    public ContinuumOfNeed(IEnumerable<Level> levelsLowestFirst)
    {
        ArgumentNullException.ThrowIfNull(levelsLowestFirst);
        Levels = levelsLowestFirst.Select((level, index) => level with { Rank = index + 1 }).ToArray();
        if (Levels.Count == 0)
        {
            throw new ArgumentException("A continuum needs at least one level.", nameof(levelsLowestFirst));
        }

        _byCode = new Dictionary<string, Level>(StringComparer.OrdinalIgnoreCase);
        foreach (var level in Levels)
        {
            if (!_byCode.TryAdd(level.Code, level))
            {
                throw new ArgumentException($"The level code '{level.Code}' appears twice.", nameof(levelsLowestFirst));
            }
        }
    }

    /// <summary>The levels, lowest first, ranked 1..n.</summary>
    public IReadOnlyList<Level> Levels { get; }

    /// <summary>The lowest level (universal provision): where a closed case rests.</summary>
    public Level Lowest => Levels[0];

    /// <summary>Finds a level by its code.</summary>
    public bool TryGet(string code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Level? level) =>
        _byCode.TryGetValue(code, out level);

    /// <summary>The level with this code; throws when the code is not on the continuum.</summary>
    public Level Get(string code) =>
        TryGet(code, out var level) ? level : throw new KeyNotFoundException($"No level '{code}' on the continuum.");
}
