using System.ComponentModel.DataAnnotations;
using Cronos;
using StepUpDown.SsdFeed.Reading;

namespace StepUpDown.SsdFeed;

/// <summary>
/// The SSD feed's settings (section <c>SsdFeed</c>), validated at start-up; each failure names its
/// key. With no <c>ConnectionString</c> the feed serves a demo SSD it seeds in its own private
/// PostgreSQL cluster, and with no <c>StateConnectionString</c> it keeps its change log there too.
/// </summary>
public sealed class SsdFeedOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "SsdFeed";

    /// <summary>The engine the council's SSD runs on: <c>postgres</c> or <c>sqlserver</c>.</summary>
    [Required]
    [RegularExpression("^(postgres|sqlserver)$", ErrorMessage = "must be postgres or sqlserver.")]
    public string Provider { get; set; } = SsdDialect.Postgres;

    /// <summary>The SSD database (a read-only login is enough). Empty: the demo SSD in the private cluster.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The schema holding the <c>ssd_*</c> tables.</summary>
    [Required]
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]{0,62}$", ErrorMessage = "must be a plain SQL identifier.")]
    public string Schema { get; set; } = "ssd";

    /// <summary>Callers and their keys (name → key): the worker's <c>CaseFeeds:Sources:NAME:ApiKey</c>.</summary>
    public Dictionary<string, string> ApiKeys { get; set; } = [];

    /// <summary>Where the feed listens.</summary>
    [Required]
    public string Urls { get; set; } = "http://127.0.0.1:9095";

    /// <summary>How often the dataset is read again, when no <see cref="RefreshCron"/> is set.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A cron (five fields, <see cref="TimeZone"/>) for the refresh, e.g. after the nightly reload; overrides the interval.</summary>
    public string? RefreshCron { get; set; }

    /// <summary>The council's time zone: "today" for open episodes, and the cron's zone.</summary>
    [Required]
    public string TimeZone { get; set; } = "Europe/London";

    /// <summary>The feed's own change log (PostgreSQL). Empty: the private cluster.</summary>
    public string? StateConnectionString { get; set; }

    /// <summary>The private cluster used when a connection string is empty.</summary>
    public StepUpDown.Integration.Storage.EmbeddedPostgresOptions Embedded { get; set; } = new() { DataDirectory = ".data/ssd-feed/postgres" };

    /// <summary>The codes served for each level (the worker's <c>LevelCodes</c> map them back).</summary>
    [Required]
    public SsdLevelCodes LevelCodes { get; set; } = new();

    /// <summary><c>invo_professional_role_id</c> values that make an involvement the lead; empty: any current involvement.</summary>
    public List<string> LeadRoleCodes { get; set; } = [];

    /// <summary>The council's staff directory export.</summary>
    public DirectoryOptions Directory { get; set; } = new();

    /// <summary>Optional SQL: <c>person_id, ods_code, practice_name</c>, one row per person.</summary>
    public string? GpPracticeQuery { get; set; }

    /// <summary>
    /// Optional SQL: <c>person_id, agreed_on, forum, proposed_worker_id, family_consent,
    /// smart_plan_updated_on, plan_shared_on, disagreement, withdrawn_on</c>, one row per person.
    /// </summary>
    public string? StepDownQuery { get; set; }

    /// <summary>The share of open persons that may close, fall a level or vanish in one refresh; more is read as a half-loaded dataset and refused.</summary>
    [Range(0.0, 1.0)]
    public double MaxClosingShare { get; set; } = 0.10;

    /// <summary>The worker's nudge, called after a refresh that found changes.</summary>
    public NudgeOptions Nudge { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(RefreshCron) && !CronExpression.TryParse(RefreshCron, out _))
        {
            yield return new ValidationResult("is not a five-field cron expression.", [nameof(RefreshCron)]);
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            yield return new ValidationResult("is not a time zone this machine knows.", [nameof(TimeZone)]);
        }

        if (Provider == SsdDialect.SqlServer && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("is required with Provider sqlserver (the demo SSD is PostgreSQL).", [nameof(ConnectionString)]);
        }

        foreach (var (caller, key) in ApiKeys)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length < 16)
            {
                yield return new ValidationResult("must be at least 16 characters.", [$"{nameof(ApiKeys)}:{caller}"]);
            }
        }
    }
}

/// <summary>The level codes the feed serves.</summary>
public sealed class SsdLevelCodes
{
    /// <summary>Early help (an open early help episode).</summary>
    [Required]
    public string EarlyHelp { get; set; } = "EH";

    /// <summary>Child in need (an open CIN plan, or an open referral that was not NFA).</summary>
    [Required]
    public string ChildInNeed { get; set; } = "CIN";

    /// <summary>Child protection (an open CP plan).</summary>
    [Required]
    public string ChildProtection { get; set; } = "CP";

    /// <summary>Looked after (an open CLA episode).</summary>
    [Required]
    public string LookedAfter { get; set; } = "LAC";
}

/// <summary>The staff directory: a CSV the council exports.</summary>
public sealed class DirectoryOptions
{
    /// <summary>
    /// Path of a CSV with a header row: <c>staff_id,name,email,phone,team,manager_name,manager_email</c>.
    /// Empty: no directory (professionals are served without contacts).
    /// </summary>
    public string? File { get; set; }
}

/// <summary>The worker's nudge endpoint.</summary>
public sealed class NudgeOptions
{
    /// <summary>The worker's nudge URL for this source, e.g. <c>https://worker/api/v1/sources/social-care/nudge</c>.</summary>
    [Url]
    public string? Url { get; set; }

    /// <summary>The worker's nudge key for this source.</summary>
    public string? ApiKey { get; set; }
}
