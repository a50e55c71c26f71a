namespace StepUpDown.Domain.Continuum;

/// <summary>Maps one source system's own level codes onto the council's continuum.</summary>
public sealed class LevelMap
{
    private readonly Dictionary<string, Level> _levels;
    private readonly Level _closedLevel;

    /// <summary>Builds the map; every target must be a level of <paramref name="continuum"/>.</summary>
    public LevelMap(ContinuumOfNeed continuum, IReadOnlyDictionary<string, string> sourceCodeToLevelCode)
    {
        ArgumentNullException.ThrowIfNull(continuum);
        ArgumentNullException.ThrowIfNull(sourceCodeToLevelCode);
        _closedLevel = continuum.Lowest;
        _levels = new Dictionary<string, Level>(StringComparer.OrdinalIgnoreCase);
        foreach (var (sourceCode, levelCode) in sourceCodeToLevelCode)
        {
            _levels[sourceCode] = continuum.Get(levelCode);
        }
    }

    /// <summary>The continuum level for a source code; false for a code the map does not know.</summary>
    public bool TryMap(string sourceCode, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Level? level) =>
        _levels.TryGetValue(sourceCode, out level);

    /// <summary>
    /// The level a record holds: a closed record rests at the lowest level (closure to
    /// universal is a step down to level 1); an open one at its mapped code. False for an
    /// open record whose code the map does not know.
    /// </summary>
    public bool TryResolve(Records.ChildRecord record, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Level? level)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.IsClosed)
        {
            level = _closedLevel;
            return true;
        }

        return TryMap(record.LevelOfNeed, out level);
    }
}
