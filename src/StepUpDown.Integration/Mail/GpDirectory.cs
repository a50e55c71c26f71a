using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Where a GP practice's secure mailbox comes from: the council's directory service when
/// <c>Notifications:GpDirectoryApi:BaseUrl</c> is set, and the directory file
/// (<c>Notifications:GpDirectoryFile</c>, a JSON array of the contract's <c>GpPracticeEntry</c>)
/// for practices the service does not know, or when there is no service. The file is read once
/// at start-up; one that is missing or does not parse stops start-up.
/// </summary>
public sealed class GpDirectory
{
    private readonly IGpDirectoryApi? _api;
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly Dictionary<string, GpPracticeEntry> _byOdsCode;

    /// <summary>Reads the directory file; <paramref name="api"/> is null when no service is configured.</summary>
    public GpDirectory(IOptions<NotificationOptions> options, ConfigFolder config, IGpDirectoryApi? api = null)
    {
        _api = api;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(config);
        var entries = config.Read(
            $"{NotificationOptions.SectionName}:GpDirectoryFile",
            options.Value.GpDirectoryFile,
            json => JsonSerializer.Deserialize<List<GpPracticeEntry>>(json, JsonOptions) ?? []);
        _byOdsCode = entries.Where(e => !string.IsNullOrWhiteSpace(e.OdsCode))
            .ToDictionary(e => e.OdsCode.Trim(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The practice with this ODS code, or null when neither the service nor the file knows it.</summary>
    /// <exception cref="HttpRequestException">The service failed (after its retries): worth another try later.</exception>
    public async Task<GpPracticeEntry?> FindAsync(string? odsCode, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(odsCode))
        {
            return null;
        }

        odsCode = odsCode.Trim();
        if (_api is not null)
        {
            using var response = await _api.GetGpPracticeAsync(odsCode, cancellationToken);
            if (response.IsSuccessStatusCode && response.Content?.SecureEmail is not null)
            {
                return response.Content;
            }

            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
            {
                throw new HttpRequestException($"The GP directory service answered {(int?)response.StatusCode}.", null, response.StatusCode);
            }
        }

        return _byOdsCode.GetValueOrDefault(odsCode);
    }
}
