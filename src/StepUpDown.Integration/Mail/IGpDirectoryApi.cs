using Refit;

namespace StepUpDown.Integration.Mail;

/// <summary>The contract's optional GP directory service (<c>getGpPractice</c>).</summary>
public interface IGpDirectoryApi
{
    /// <summary>A GP practice by ODS code.</summary>
    [Get("/api/v1/gp-practices/{odsCode}")]
    Task<IApiResponse<GpPracticeEntry>> GetGpPracticeAsync(string odsCode, CancellationToken cancellationToken);
}
