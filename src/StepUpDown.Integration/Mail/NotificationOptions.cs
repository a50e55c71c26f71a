using System.ComponentModel.DataAnnotations;

namespace StepUpDown.Integration.Mail;

/// <summary>Where notification content comes from (section <c>Notifications</c>).</summary>
public sealed class NotificationOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Notifications";

    /// <summary>The GP directory file (ODS code → secure mailbox), relative to the config folder.</summary>
    [Required]
    public string GpDirectoryFile { get; set; } = "gp-directory.json";

    /// <summary>The message templates folder, relative to the config folder.</summary>
    [Required]
    public string TemplatesDirectory { get; set; } = "templates";

    /// <summary>
    /// Domains child data may be sent to, one a line (the council's copy of the secure email
    /// standard's accredited list plus its own), relative to the config folder.
    /// </summary>
    [Required]
    public string SecureDomainsFile { get; set; } = "secure-domains.txt";

    /// <summary>The MASSH's secure mailbox: told of every step up, completed step down and change of lead.</summary>
    [Required]
    [EmailAddress]
    public string MasshEmail { get; set; } = "";

    /// <summary>
    /// Retries of a notice after its first attempt failed for a reason that may pass (the relay
    /// down, a deferral), on the retry schedule, before it is failed and the MASSH told.
    /// </summary>
    [Range(1, 30)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>
    /// The wait before each retry, the last repeated (e.g. <c>["00:01:00", "00:10:00"]</c>); empty
    /// (default): Hangfire's curve, 30 seconds at the first and about four and a half hours over ten
    /// (<see cref="StepUpDown.Domain.Notifications.RetrySchedule"/>).
    /// </summary>
    public TimeSpan[] RetryDelays { get; set; } = [];
}
