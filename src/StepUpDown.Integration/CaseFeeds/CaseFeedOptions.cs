using System.ComponentModel.DataAnnotations;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>The case systems the worker watches, by source name (section <c>CaseFeeds</c>).</summary>
public sealed class CaseFeedOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "CaseFeeds";

    /// <summary>Sources by name, e.g. <c>social-care</c>, <c>early-help</c>. Empty: the worker polls nothing.</summary>
    public Dictionary<string, CaseFeedSourceOptions> Sources { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// When the MASSH is sent the list of quarantined case ids, as a cron expression in the
    /// council's time zone (<c>Handovers:TimeZone</c>); default every day at 07:00. Nothing is sent
    /// while none is quarantined. Empty: no list (the dashboard and readiness still show them).
    /// </summary>
    public string? QuarantineListCron { get; set; } = "0 7 * * *";
}

/// <summary>One case system serving the case feed contract.</summary>
public sealed class CaseFeedSourceOptions : IValidatableObject
{
    /// <summary>Base address of the feed, e.g. https://feeds.council.example/social-care/.</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    /// <summary>Sent as <c>X-Api-Key</c>. Set this or <see cref="BearerToken"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c>. Set this or <see cref="ApiKey"/>.</summary>
    public string? BearerToken { get; set; }

    /// <summary>When to poll, as a cron expression (Hangfire's format). Default: every minute.</summary>
    [Required]
    public string PollCron { get; set; } = "* * * * *";

    /// <summary>
    /// Also poll every this long, in the instance (not as a Hangfire job), e.g. <c>00:00:05</c>; unset:
    /// only <see cref="PollCron"/> and nudges. For polls more often than a minute: cheap when
    /// nothing changed (no write), while a <see cref="PollCron"/> of seconds costs a Hangfire job per poll.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan? PollInterval { get; set; }

    /// <summary>
    /// Nudges (<c>POST /api/v1/sources/{source}/nudge</c>) accepted per second, bursts included;
    /// more are answered 429. Nudges are coalesced, so this bounds work, not polls.
    /// </summary>
    [Range(1, 10_000)]
    public int NudgesPerSecond { get; set; } = 100;

    /// <summary>
    /// False for a source that cannot record step-down agreements (the Standard Safeguarding
    /// Dataset holds none): a fall from it is told as a step down (the GP with the current plan,
    /// the MASSH, the new lead where there is one) but opens no handover and runs no ladder, and
    /// the monitoring report counts it as "step down, handover not tracked". Default true.
    /// </summary>
    public bool TracksStepDownAgreements { get; set; } = true;

    /// <summary>Items asked for per page (the contract allows 1 to 1000).</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 200;

    /// <summary>The source's own level codes mapped to continuum level codes.</summary>
    [Required]
    [MinLength(1)]
    public Dictionary<string, string> LevelCodes { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Pages one run reads at most; a run that reaches it fails visibly, and the next goes on.</summary>
    [Range(1, 1_000_000)]
    public int MaxPagesPerRun { get; set; } = 1000;

    /// <summary>How long one run reads at most; a run that reaches it fails visibly, and the next goes on.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The largest response body accepted for one page.</summary>
    [Range(1024, 1L << 30)]
    public long MaxResponseBytes { get; set; } = 32L << 20;

    /// <summary>
    /// Accept an <c>http</c> (not https) <see cref="BaseUrl"/> on another machine: children's data
    /// in clear on the network. Only for a private trial network; a loopback address needs no leave.
    /// </summary>
    public bool AllowPlainHttp { get; set; }

    /// <summary>Timeouts, retries and circuit breaker for calls to this source. <c>TotalTimeout</c> also bounds reading a whole page, body included.</summary>
    public CaseFeedResilienceOptions Resilience { get; init; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ApiKey) == string.IsNullOrWhiteSpace(BearerToken))
        {
            yield return new ValidationResult("Set exactly one of ApiKey and BearerToken.", [nameof(ApiKey)]);
        }

        if (BaseUrl is { IsAbsoluteUri: false })
        {
            yield return new ValidationResult("BaseUrl must be an absolute http(s) address.", [nameof(BaseUrl)]);
        }
        else if (Loopback.IsPlainHttpElsewhere(BaseUrl) && !AllowPlainHttp)
        {
            yield return new ValidationResult(
                "BaseUrl must be https: plain http would carry children's records in clear (only a loopback address, or AllowPlainHttp=true on a private trial network, may use http).",
                [nameof(BaseUrl)]);
        }
    }
}

/// <summary>How calls to a case feed retry and give up.</summary>
public sealed class CaseFeedResilienceOptions
{
    /// <summary>Retries after the first attempt, on 5xx, 408, 429 and network errors (the standard resilience handler needs at least one).</summary>
    [Range(1, 10)]
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>First backoff delay; grows exponentially with jitter. A <c>Retry-After</c> header wins.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Timeout of one attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one call, all attempts and waits included.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(3);
}
