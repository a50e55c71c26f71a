using System.Text.Json;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Integration.Handovers;

/// <summary>A partner agency and its manager, who is written to at the ladder's agency stage.</summary>
/// <param name="Code">The agency code the case systems use.</param>
/// <param name="Name">The agency's name.</param>
/// <param name="ManagerName">Its manager's name.</param>
/// <param name="ManagerEmail">Its manager's secure mailbox.</param>
public sealed record AgencyEntry(string Code, string Name, string? ManagerName, string? ManagerEmail);

/// <summary>
/// The agency directory (<c>Handovers:AgencyDirectoryFile</c>, a JSON array of <see cref="AgencyEntry"/>),
/// read once at start-up; one that is missing or does not parse stops start-up.
/// </summary>
public sealed class AgencyDirectory
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly Dictionary<string, AgencyEntry> _byCode;

    /// <summary>Reads the directory file.</summary>
    public AgencyDirectory(IOptions<HandoverOptions> options, ConfigFolder config)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(config);
        var entries = config.Read(
            $"{HandoverOptions.SectionName}:AgencyDirectoryFile",
            options.Value.AgencyDirectoryFile,
            json => JsonSerializer.Deserialize<List<AgencyEntry>>(json, JsonOptions) ?? []);
        _byCode = entries.Where(e => !string.IsNullOrWhiteSpace(e.Code))
            .ToDictionary(e => e.Code.Trim(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The agency with this code, or null.</summary>
    public AgencyEntry? Find(string? code) =>
        string.IsNullOrWhiteSpace(code) ? null : _byCode.GetValueOrDefault(code.Trim());
}
