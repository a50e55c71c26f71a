namespace StepUpDown.Domain.Continuum;

/// <summary>Every source's <see cref="LevelMap"/>, for reading codes that cross systems.</summary>
public sealed class LevelMaps
{
    private readonly ContinuumOfNeed _continuum;
    private readonly Dictionary<string, LevelMap> _bySource;

    /// <summary>Builds the map of each source from its code → continuum level code table.</summary>
    public LevelMaps(ContinuumOfNeed continuum, IEnumerable<KeyValuePair<string, IReadOnlyDictionary<string, string>>> sources)
    {
        ArgumentNullException.ThrowIfNull(continuum);
        ArgumentNullException.ThrowIfNull(sources);
        _continuum = continuum;
        _bySource = sources.ToDictionary(s => s.Key, s => new LevelMap(continuum, s.Value), StringComparer.Ordinal);
    }

    /// <summary>The map of one source.</summary>
    public LevelMap For(string source) => _bySource[source];

    /// <summary>
    /// The level a step down agreed in <paramref name="source"/> goes to. A social care system
    /// often names the early-help level it hands over to by a code it never holds itself, so the
    /// source's own codes are tried first, then the continuum's codes, then a code exactly one
    /// other source maps.
    /// </summary>
    public bool TryMapTarget(string source, string? code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Level? level)
    {
        level = null;
        if (string.IsNullOrWhiteSpace(code))
        {
            return false;
        }

        if ((_bySource.TryGetValue(source, out var own) && own.TryMap(code, out level)) || _continuum.TryGet(code, out level))
        {
            return true;
        }

        var elsewhere = _bySource.Values
            .Select(map => map.TryMap(code, out var mapped) ? mapped : null)
            .OfType<Level>()
            .DistinctBy(l => l.Code)
            .ToArray();
        level = elsewhere.Length == 1 ? elsewhere[0] : null;
        return level is not null;
    }
}
