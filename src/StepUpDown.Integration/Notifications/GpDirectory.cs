using System.Text.Json;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Integration.Notifications;

/// <summary>A GP practice and its secure mailbox, as the contract's <c>GpPracticeEntry</c>.</summary>
public sealed record GpPracticeEntry(string OdsCode, string Name, string? SecureEmail);

/// <summary>
/// The council's GP directory file (<c>Notifications:GpDirectoryFile</c>): a JSON array of
/// practices in the contract's <c>GpPracticeEntry</c> shape. Read once at start-up; a file
/// that is missing or does not parse stops start-up.
/// </summary>
public sealed class GpDirectory
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly Dictionary<string, GpPracticeEntry> _byOdsCode;

    /// <summary>Reads the directory file.</summary>
    public GpDirectory(IOptions<NotificationOptions> options, ConfigFolder config)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(config);
        var path = config.Resolve(options.Value.GpDirectoryFile);
        try
        {
            using var stream = File.OpenRead(path);
            var entries = JsonSerializer.Deserialize<List<GpPracticeEntry>>(stream, JsonOptions) ?? [];
            _byOdsCode = entries.Where(e => !string.IsNullOrWhiteSpace(e.OdsCode))
                .ToDictionary(e => e.OdsCode.Trim(), StringComparer.OrdinalIgnoreCase);
        }
        catch (Exception exception) when (exception is IOException or JsonException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"{NotificationOptions.SectionName}:GpDirectoryFile: could not read the GP directory '{path}': {exception.Message}", exception);
        }
    }

    /// <summary>The practice with this ODS code, or null.</summary>
    public GpPracticeEntry? Find(string? odsCode) =>
        odsCode is not null && _byOdsCode.TryGetValue(odsCode.Trim(), out var entry) ? entry : null;
}
