using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using StepUpDown.Domain.Continuum;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>The council's continuum of need, lowest level first (section <c>Continuum</c>, shipped in <c>config/continuum.json</c>).</summary>
public sealed class ContinuumOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Continuum";

    /// <summary>The levels, lowest first.</summary>
    [Required]
    [MinLength(1)]
    public List<LevelOptions> Levels { get; init; } = [];

    /// <summary>
    /// Level codes renamed or removed after go-live, each mapped to the code of a level now on the
    /// continuum (old code → new code): what was stored under the old code is read as that level.
    /// Start-up refuses a database that holds a code neither a level nor an alias names.
    /// </summary>
    public Dictionary<string, string> Aliases { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The continuum these options describe.</summary>
    public ContinuumOfNeed ToContinuum() =>
        new(Levels.Select(l => new Level(l.Code, l.Name, 0, l.SnomedCode, l.SnomedTerm)), Aliases);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var codes = Levels.Select(l => l.Code).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (old, current) in Aliases)
        {
            if (codes.Contains(old))
            {
                yield return new ValidationResult($"'{old}' is a level of {SectionName}:Levels; an alias names a code no level has any more.", [$"{nameof(Aliases)}:{old}"]);
            }
            else if (!codes.Contains(current))
            {
                yield return new ValidationResult($"'{current}' is not a level of {SectionName}:Levels.", [$"{nameof(Aliases)}:{old}"]);
            }
        }
    }
}

/// <summary>One level of the continuum.</summary>
public sealed class LevelOptions
{
    /// <summary>Stable code, e.g. <c>child-protection</c>.</summary>
    [Required]
    public string Code { get; set; } = "";

    /// <summary>Name shown in messages.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>SNOMED CT concept suggested to a GP practice for a child at this level.</summary>
    public string? SnomedCode { get; set; }

    /// <summary>The concept's preferred term.</summary>
    public string? SnomedTerm { get; set; }
}

/// <summary>Checks that every source's level codes map onto levels that exist.</summary>
public sealed class LevelCodesValidator(IOptions<ContinuumOptions> continuum) : IValidateOptions<CaseFeedOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CaseFeedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var known = continuum.Value.Levels.Select(l => l.Code).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var failures = (
            from source in options.Sources
            from code in source.Value.LevelCodes
            where !known.Contains(code.Value)
            select $"{CaseFeedOptions.SectionName}:Sources:{source.Key}:LevelCodes:{code.Key}: '{code.Value}' is not a level of {ContinuumOptions.SectionName}:Levels.")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
