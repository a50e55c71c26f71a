using StepUpDown.Domain.Records;

namespace StepUpDown.SsdFeed.Reading;

/// <summary>
/// How a person's rows in the dataset read as the contract's <see cref="ChildRecord"/> on a given
/// day (<c>../shared/ssd.md</c>, "Level of need from the SSD"). Pure: the same rows and day give the
/// same record. <see cref="ChildRecord.Version"/> and <see cref="ChildRecord.UpdatedAt"/> are left
/// to the change log.
/// </summary>
public sealed class RecordReading(SsdLevelCodes codes, IReadOnlyCollection<string> leadRoleCodes, StaffDirectory directory)
{
    /// <summary>The agency code of a lead at early help (the worker's agency directory).</summary>
    public const string EarlyHelpAgency = "early-help";

    /// <summary>The agency code of a lead at child in need and above.</summary>
    public const string SocialCareAgency = "social-care";

    /// <summary>
    /// The record of <paramref name="person"/> on <paramref name="today"/>, or null for a person who
    /// never had an episode that has started (never served).
    /// </summary>
    public ChildRecord? Read(PersonRow person, SsdSnapshot snapshot, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(snapshot);
        var episodes = snapshot.Episodes[person.PersonId].Where(e => Day(e.StartDate) is not { } start || start <= today).ToList();
        if (episodes.Count == 0)
        {
            return null;
        }

        var open = episodes.Where(e => IsOpen(e, today) && Rank(e) > 0).OrderByDescending(Rank).ThenByDescending(e => e.StartDate).ToList();
        var died = Day(person.DeathDate) is { } deathDate && deathDate <= today;
        var record = new ChildRecord
        {
            ChildId = person.PersonId,
            NhsNumber = NhsNumberOf(person, snapshot.Identifiers[person.PersonId], today),
            Name = new PersonName(person.Forename?.Trim(), person.Surname?.Trim()),
            DateOfBirth = Day(person.DateOfBirth),
            GpPractice = snapshot.GpPractices.TryGetValue(person.PersonId, out var gp) && gp.OdsCode is { Length: > 0 }
                ? new GpPracticeRef(gp.OdsCode.Trim().ToUpperInvariant(), gp.PracticeName?.Trim())
                : null,
        };

        if (died)
        {
            var level = open.Count > 0 ? open[0] : LastEnded(episodes);
            return record with { LevelOfNeed = LevelCode(level), Status = "closed", ClosedOn = Day(person.DeathDate), ClosureReason = Closures.Died };
        }

        if (open.Count == 0)
        {
            var last = LastEnded(episodes);
            return record with
            {
                LevelOfNeed = LevelCode(last),
                Status = "closed",
                ClosedOn = Day(last.EndDate),
                ClosureReason = ClosureReasonOf(last),
            };
        }

        var highest = open[0];
        var lead = LeadOf(highest, open, snapshot, person.PersonId, today);
        return record with
        {
            LevelOfNeed = LevelCode(highest),
            Status = "open",
            LeadProfessional = lead,
            AllocatedTeam = TeamOf(highest, lead, snapshot),
            Plan = PlanOf(highest, snapshot, today),
            StepDown = snapshot.StepDowns.TryGetValue(person.PersonId, out var agreed) ? StepDownOf(agreed, highest, snapshot) : null,
        };
    }

    /// <summary>
    /// The CIN census reason for closure as the contract's <c>closureReason</c>: RC2 died, RC5
    /// transferred-out, RC7 needs-met, RC8 no-further-action, RC9 referred-to-early-help; another
    /// code or text is served as it is (a routine closure to the worker).
    /// </summary>
    public static string? CinClosureReason(string? code) => code?.Trim().ToUpperInvariant() switch
    {
        null or "" => null,
        "RC2" => Closures.Died,
        "RC5" => Closures.TransferredOut,
        "RC7" => "needs-met",
        "RC8" => "no-further-action",
        "RC9" => "referred-to-early-help",
        _ => code.Trim(),
    };

    /// <summary>
    /// The child's NHS number: <c>pers_single_unique_id</c> when it passes Modulus 11, else the
    /// newest <c>NHS Number</c> linked identifier valid on the day that passes; otherwise none.
    /// </summary>
    public static string? NhsNumberOf(PersonRow person, IEnumerable<IdentifierRow> identifiers, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(person);
        if (Digits(person.SingleUniqueId) is { } own && NhsNumber.IdentifiesAChild(own))
        {
            return own;
        }

        return identifiers
            .Where(i => string.Equals(i.Type?.Trim(), "NHS Number", StringComparison.OrdinalIgnoreCase))
            .Where(i => (Day(i.ValidFrom) is not { } from || from <= today) && (Day(i.ValidTo) is not { } to || to > today))
            .OrderByDescending(i => i.ValidFrom)
            .Select(i => Digits(i.Value))
            .FirstOrDefault(NhsNumber.IdentifiesAChild);
    }

    /// <summary>True when the episode has started by <paramref name="today"/> and has not ended (an end after today is not yet an end).</summary>
    public static bool IsOpen(EpisodeRow episode, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(episode);
        return (Day(episode.StartDate) is not { } start || start <= today) && (Day(episode.EndDate) is not { } end || end > today);
    }

    /// <summary>Where an episode stands on the continuum: 4 looked after … 1 early help; 0 for a referral closed with no further action.</summary>
    public static int Rank(EpisodeRow episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        return episode.Kind switch
        {
            EpisodeKind.LookedAfter => 4,
            EpisodeKind.ChildProtection => 3,
            EpisodeKind.CinPlan => 2,
            EpisodeKind.CinReferral => string.Equals(episode.Flag?.Trim(), "Y", StringComparison.OrdinalIgnoreCase) ? 0 : 2,
            _ => 1,
        };
    }

    private string LevelCode(EpisodeRow episode) => episode.Kind switch
    {
        EpisodeKind.LookedAfter => codes.LookedAfter,
        EpisodeKind.ChildProtection => codes.ChildProtection,
        EpisodeKind.CinPlan or EpisodeKind.CinReferral => codes.ChildInNeed,
        _ => codes.EarlyHelp,
    };

    private static EpisodeRow LastEnded(List<EpisodeRow> episodes) =>
        episodes.OrderByDescending(e => e.EndDate ?? DateTime.MinValue)
            .ThenByDescending(e => e.Kind == EpisodeKind.CinReferral)
            .ThenByDescending(Rank)
            .First();

    private static string? ClosureReasonOf(EpisodeRow episode) =>
        episode.Kind == EpisodeKind.CinReferral ? CinClosureReason(episode.EndReason) : episode.EndReason?.Trim() is { Length: > 0 } text ? text : null;

    private Professional? LeadOf(EpisodeRow highest, List<EpisodeRow> open, SsdSnapshot snapshot, string personId, DateOnly today)
    {
        var involvement = snapshot.Involvements[personId]
            .Where(i => (Day(i.StartDate) is not { } start || start <= today) && (Day(i.EndDate) is not { } end || end > today))
            .Where(i => leadRoleCodes.Count == 0 || leadRoleCodes.Contains(i.RoleId?.Trim() ?? "", StringComparer.OrdinalIgnoreCase))
            .Where(i => string.Equals(i.ReferralId, highest.ReferralId, StringComparison.Ordinal))
            .OrderByDescending(i => i.StartDate)
            .FirstOrDefault();
        var professionalId = involvement?.ProfessionalId
            ?? highest.WorkerId
            ?? open.FirstOrDefault(e => e.WorkerId is not null && e.ReferralId is not null && e.ReferralId == highest.ReferralId)?.WorkerId;
        return ProfessionalOf(professionalId, highest.Kind == EpisodeKind.EarlyHelp ? EarlyHelpAgency : SocialCareAgency, snapshot);
    }

    private Professional? ProfessionalOf(string? id, string agency, SsdSnapshot snapshot)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        snapshot.Professionals.TryGetValue(id, out var professional);
        var contact = ContactOf(id, snapshot);
        var name = professional?.Name?.Trim() is { Length: > 0 } known ? known : contact?.Name;
        return name is null ? null : new Professional
        {
            Id = professional?.ProfessionalId ?? id,
            Name = name,
            Role = professional?.JobTitle?.Trim(),
            Agency = agency,
            Email = contact?.Email,
            Phone = contact?.Phone,
            AcceptedOn = null,
        };
    }

    private AllocatedTeam? TeamOf(EpisodeRow highest, Professional? lead, SsdSnapshot snapshot)
    {
        var teamId = highest.Team;
        if (teamId is null)
        {
            return null;
        }

        var name = snapshot.Teams.TryGetValue(teamId, out var known) ? known : teamId;
        var manager = ContactOf(lead?.Id, snapshot) is { ManagerEmail: { Length: > 0 } } leads ? leads
            : directory.ManagerOf(name) ?? directory.ManagerOf(teamId);
        return new AllocatedTeam(name, manager?.ManagerName, manager?.ManagerEmail);
    }

    /// <summary>A professional's directory entry: by their staff id, else by the id the dataset gives.</summary>
    private StaffEntry? ContactOf(string? id, SsdSnapshot snapshot) =>
        id is null ? null
        : directory.Find(snapshot.Professionals.TryGetValue(id, out var professional) ? professional.StaffId : null) ?? directory.Find(id);

    private static Plan PlanOf(EpisodeRow highest, SsdSnapshot snapshot, DateOnly today) => highest.Kind switch
    {
        EpisodeKind.ChildProtection => new Plan
        {
            Type = "cp",
            StartedOn = Day(highest.StartDate),
            ReviewDueOn = snapshot.Reviews[highest.Id].Where(r => r.Held is null && Day(r.Due) is { } due && due >= today).Select(r => Day(r.Due)).Min(),
            Summary = highest.Flag?.Trim() is { Length: > 0 } category ? $"Child protection plan; category: {category}." : "Child protection plan.",
        },
        EpisodeKind.LookedAfter => new Plan { Type = "lac", StartedOn = Day(highest.StartDate) },
        EpisodeKind.CinPlan or EpisodeKind.CinReferral => new Plan { Type = "cin", StartedOn = Day(highest.StartDate) },
        _ => new Plan { Type = "eha", StartedOn = Day(highest.StartDate) },
    };

    private StepDownAgreement StepDownOf(StepDownRow row, EpisodeRow highest, SsdSnapshot snapshot) => new()
    {
        AgreedOn = Day(row.AgreedOn),
        Forum = row.Forum?.Trim(),
        TargetLevel = highest.Kind is EpisodeKind.ChildProtection or EpisodeKind.LookedAfter ? codes.ChildInNeed : codes.EarlyHelp,
        ProposedLeadProfessional = ProfessionalOf(row.ProposedWorkerId, highest.Kind is EpisodeKind.ChildProtection or EpisodeKind.LookedAfter ? SocialCareAgency : EarlyHelpAgency, snapshot),
        FamilyConsent = row.FamilyConsent,
        SmartPlanUpdatedOn = Day(row.SmartPlanUpdatedOn),
        PlanSharedOn = Day(row.PlanSharedOn),
        Disagreement = row.Disagreement?.Trim() is { Length: > 0 } text ? text : null,
        WithdrawnOn = Day(row.WithdrawnOn),
    };

    private static string? Digits(string? value) =>
        value is null ? null : string.Concat(value.Where(c => !char.IsWhiteSpace(c)));

    private static DateOnly? Day(DateTime? value) => value is { } v ? DateOnly.FromDateTime(v) : null;
}
