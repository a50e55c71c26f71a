namespace StepUpDown.Domain.Continuum;

/// <summary>The council's ordered levels of need, lowest first.</summary>
public sealed class ContinuumOfNeed
{
    private readonly Dictionary<string, Level> _byCode;

    /// <summary>
    /// Builds the continuum; levels are ranked in the order given, the first being the lowest.
    /// <paramref name="aliases"/> (old code → code of a level) name the levels renamed since
    /// records were stored under their old codes: <see cref="TryGet"/> finds a level by either.
    /// </summary>
    public ContinuumOfNeed(IEnumerable<Level> levelsLowestFirst, IReadOnlyDictionary<string, string>? aliases = null)
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

        foreach (var (old, current) in aliases ?? new Dictionary<string, string>())
        {
            if (!_byCode.TryGetValue(current, out var level) || Levels.Any(l => string.Equals(l.Code, old, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ArgumentException($"The alias '{old}' must name a code no level has, mapped to a level's code.", nameof(aliases));
            }

            _byCode[old] = level;
        }
    }

    /// <summary>The levels, lowest first, ranked 1..n.</summary>
    public IReadOnlyList<Level> Levels { get; }

    /// <summary>The lowest level (universal provision): where a closed case rests.</summary>
    public Level Lowest => Levels[0];

    /// <summary>Finds a level by its code, or by an old code an alias maps to it.</summary>
    public bool TryGet(string code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Level? level) =>
        _byCode.TryGetValue(code, out level);

    /// <summary>The level with this code; throws when the code is not on the continuum.</summary>
    public Level Get(string code) =>
        TryGet(code, out var level) ? level : throw new KeyNotFoundException($"No level '{code}' on the continuum.");
}
