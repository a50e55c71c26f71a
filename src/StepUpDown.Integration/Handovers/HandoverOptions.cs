using System.ComponentModel.DataAnnotations;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;

namespace StepUpDown.Integration.Handovers;

/// <summary>Handover tracking and the escalation ladder (section <c>Handovers</c>).</summary>
public sealed class HandoverOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Handovers";

    /// <summary>gov.uk's <c>bank-holidays.json</c>, relative to the config folder: drop in a newer copy as it is published.</summary>
    [Required]
    public string CalendarFile { get; set; } = "bank-holidays.json";

    /// <summary>The division of the list whose holidays count.</summary>
    [Required]
    public string CalendarDivision { get; set; } = "england-and-wales";

    /// <summary>The council's time zone: what "today" means for working days, and the zone the recurring jobs' cron runs in.</summary>
    [Required]
    public string TimeZone { get; set; } = "Europe/London";

    /// <summary>How often open handovers are reviewed (Hangfire cron).</summary>
    [Required]
    public string SweepCron { get; set; } = "* * * * *";

    /// <summary>The council's time zone, as the recurring jobs' cron reads it (a method: options validation reads every property).</summary>
    public TimeZoneInfo CouncilZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>The council's date at <paramref name="instant"/>: what "today" means for working days and reports.</summary>
    public DateOnly DateAt(DateTimeOffset instant) => DateOnly.FromDateTime(LocalAt(instant));

    /// <summary>The council's clock time at <paramref name="instant"/>, as its staff read times.</summary>
    public DateTime LocalAt(DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, CouncilZone()).DateTime;

    /// <summary>
    /// When each team manager gets the weekly digest of their open handovers (Hangfire cron, in
    /// <see cref="TimeZone"/>; default Mondays at 08:00). Empty: no digest.
    /// </summary>
    public string DigestCron { get; set; } = "0 8 * * 1";

    /// <summary>Handovers reviewed per transaction of a sweep.</summary>
    [Range(1, 10_000)]
    public int SweepBatchSize { get; set; } = 200;

    /// <summary>Agency code → its manager (JSON), relative to the config folder.</summary>
    [Required]
    public string AgencyDirectoryFile { get; set; } = "agencies.json";

    /// <summary>The head of service: the last rung of the ladder.</summary>
    [Required]
    public ContactOptions HeadOfService { get; set; } = new();

    /// <summary>The MASSH's TAC champion.</summary>
    [Required]
    public ContactOptions TacChampion { get; set; } = new();

    /// <summary>
    /// Working days a fall below an agreed step down's target is held, waiting for the record at the
    /// target (systems report in any order), before it is told as a step down to the lower level.
    /// </summary>
    [Range(0, 60)]
    public int SettlingWorkingDays { get; set; } = 2;

    /// <summary>A handover still stalled after the last stage is sent it again every this many working days (0: never).</summary>
    [Range(0, 60)]
    public int RepeatLastStageWorkingDays { get; set; } = 5;

    /// <summary>The name of the ladder in <see cref="Ladders"/> to run.</summary>
    [Required]
    public string Ladder { get; set; } = "standard";

    /// <summary>Ladders by name (two are shipped: <c>standard</c> and <c>five-day-steps</c>).</summary>
    public Dictionary<string, LadderOptions> Ladders { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The ladder to run.</summary>
    public EscalationLadder ToLadder()
    {
        var ladder = Ladders[Ladder];
        return new EscalationLadder(
            ladder.Stages.Select(s => new EscalationStage(s.Name, s.WorkingDays, s.Roles, s.Template)).ToArray(),
            ladder.DisagreementStage,
            RepeatLastStageWorkingDays);
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Ladders.TryGetValue(Ladder, out var ladder))
        {
            yield return new ValidationResult($"'{Ladder}' is not one of the ladders under {SectionName}:Ladders ({string.Join(", ", Ladders.Keys)}).", [nameof(Ladder)]);
        }
        else if (ladder.Stages.Count > 0 && (ladder.DisagreementStage < 0 || ladder.DisagreementStage >= ladder.Stages.Count))
        {
            yield return new ValidationResult($"Ladders:{Ladder}:DisagreementStage must name one of its {ladder.Stages.Count} stages (0 is the first).", [nameof(Ladder)]);
        }

        if (TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _) is false)
        {
            yield return new ValidationResult($"'{TimeZone}' is not a time zone this machine knows.", [nameof(TimeZone)]);
        }
    }
}

/// <summary>A named mailbox.</summary>
public sealed class ContactOptions
{
    /// <summary>Name to greet.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>Secure mailbox.</summary>
    [Required]
    [EmailAddress]
    public string Email { get; set; } = "";
}

/// <summary>One escalation ladder.</summary>
public sealed class LadderOptions : IValidatableObject
{
    /// <summary>Index of the stage a recorded disagreement jumps to (the design's stage 2).</summary>
    public int DisagreementStage { get; set; }

    /// <summary>The stages, by rising working days.</summary>
    [Required]
    [MinLength(1)]
    public List<StageOptions> Stages { get; set; } = [];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 1; i < Stages.Count; i++)
        {
            if (Stages[i].WorkingDays <= Stages[i - 1].WorkingDays)
            {
                yield return new ValidationResult($"stage {i} must come on a later working day than stage {i - 1}.", [nameof(Stages)]);
            }
        }
    }
}

/// <summary>One stage of a ladder.</summary>
public sealed class StageOptions : IValidatableObject
{
    /// <summary>How emails and the dashboard name it.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>Working days after the agreement.</summary>
    [Range(0, 260)]
    public int WorkingDays { get; set; }

    /// <summary>Who is written to.</summary>
    [Required]
    [MinLength(1)]
    public List<string> Roles { get; set; } = [];

    /// <summary>The template in <c>config/templates</c>.</summary>
    [Required]
    public string Template { get; set; } = "";

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Roles.Where(role => !RecipientRoles.LadderRoles.Contains(role))
            .Select(role => new ValidationResult(
                $"'{role}' is not a ladder role ({string.Join(", ", RecipientRoles.LadderRoles)}).", [nameof(Roles)]));
}
