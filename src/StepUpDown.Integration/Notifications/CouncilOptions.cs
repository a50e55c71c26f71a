using System.ComponentModel.DataAnnotations;

namespace StepUpDown.Integration.Notifications;

/// <summary>The responsible council, as every notification names it (section <c>Council</c>).</summary>
public sealed class CouncilOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Council";

    /// <summary>The council's name.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>Children's services number in office hours.</summary>
    [Required]
    public string OfficeHoursPhone { get; set; } = "";

    /// <summary>Emergency duty team, out of hours.</summary>
    [Required]
    public string OutOfHoursPhone { get; set; } = "";
}

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
    /// Hangfire's retries of a delivery job after a transient failure (after the dispatch's first
    /// attempt and the job's own) before the job stays Failed on the dashboard.
    /// </summary>
    [Range(1, 30)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>
    /// True (default): the dispatch makes each notice's first attempt, and only a notice whose
    /// first attempt fails gets a Hangfire job of its own. False: every notice gets its own job
    /// from the start, so every email shows on the job lists, at about a third of the throughput
    /// (bench/README.md).
    /// </summary>
    public bool FirstAttemptByDispatch { get; set; } = true;
}
