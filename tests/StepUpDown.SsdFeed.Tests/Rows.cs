using StepUpDown.SsdFeed.Reading;

namespace StepUpDown.SsdFeed.Tests;

/// <summary>A person's rows in the dataset, built up for one test.</summary>
internal sealed class Rows
{
    public static readonly DateOnly Today = new(2026, 12, 7);

    private readonly List<PersonRow> _persons = [];
    private readonly List<IdentifierRow> _identifiers = [];
    private readonly List<EpisodeRow> _episodes = [];
    private readonly List<ReviewRow> _reviews = [];
    private readonly List<InvolvementRow> _involvements = [];
    private readonly Dictionary<string, ProfessionalRow> _professionals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GpPracticeRow> _gps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StepDownRow> _stepDowns = new(StringComparer.Ordinal);

    public PersonRow Person { get; }

    public Rows(string nhsNumber = "9434765919", DateTime? died = null)
    {
        Person = new PersonRow { PersonId = "P1", Forename = " Amira ", Surname = "Example", DateOfBirth = new DateTime(2016, 4, 2), SingleUniqueId = nhsNumber, DeathDate = died };
        _persons.Add(Person);
        Professional("W-1", "S-1", "Alex Fieldworker", "Social worker");
        Professional("W-2", "S-2", "Pat Early", "Family support worker");
    }

    public static DateTime Ago(int days) => Today.AddDays(-days).ToDateTime(TimeOnly.MinValue);

    public Rows Episode(EpisodeKind kind, int startedDaysAgo, int? endedDaysAgo = null, string? reason = null, string id = "", string? referral = null, string? worker = null, string? team = null, string? flag = null)
    {
        _episodes.Add(new EpisodeRow
        {
            Kind = kind, Id = id.Length > 0 ? id : $"{kind}-{_episodes.Count}", PersonId = "P1", ReferralId = referral,
            StartDate = Ago(startedDaysAgo), EndDate = endedDaysAgo is { } e ? Ago(e) : null, EndReason = reason, WorkerId = worker, Team = team, Flag = flag,
        });
        return this;
    }

    public Rows Identifier(string type, string value, int? validFromDaysAgo = 400, int? validToDaysAgo = null)
    {
        _identifiers.Add(new IdentifierRow { PersonId = "P1", Type = type, Value = value, ValidFrom = validFromDaysAgo is { } f ? Ago(f) : null, ValidTo = validToDaysAgo is { } t ? Ago(t) : null });
        return this;
    }

    public Rows Involvement(string professional, string role, int startedDaysAgo, int? endedDaysAgo = null, string? referral = null)
    {
        _involvements.Add(new InvolvementRow { PersonId = "P1", ProfessionalId = professional, RoleId = role, StartDate = Ago(startedDaysAgo), EndDate = endedDaysAgo is { } e ? Ago(e) : null, ReferralId = referral });
        return this;
    }

    public Rows Review(string plan, int dueInDays, int? heldDaysAgo = null)
    {
        _reviews.Add(new ReviewRow { PlanId = plan, Due = Today.AddDays(dueInDays).ToDateTime(TimeOnly.MinValue), Held = heldDaysAgo is { } h ? Ago(h) : null });
        return this;
    }

    public Rows Professional(string id, string staffId, string name, string title)
    {
        var row = new ProfessionalRow { ProfessionalId = id, StaffId = staffId, Name = name, JobTitle = title };
        _professionals[id] = row;
        _professionals[staffId] = row;
        return this;
    }

    public Rows Gp(string ods, string name)
    {
        _gps["P1"] = new GpPracticeRow { PersonId = "P1", OdsCode = ods, PracticeName = name };
        return this;
    }

    public Rows StepDown(StepDownRow row)
    {
        row.PersonId = "P1";
        _stepDowns["P1"] = row;
        return this;
    }

    public SsdSnapshot Snapshot() => new()
    {
        Persons = _persons,
        Identifiers = _identifiers.ToLookup(r => r.PersonId),
        Episodes = _episodes.ToLookup(r => r.PersonId),
        Reviews = _reviews.ToLookup(r => r.PlanId),
        Involvements = _involvements.ToLookup(r => r.PersonId),
        Professionals = _professionals,
        Teams = new Dictionary<string, string> { ["T-1"] = "Children in Need Team 1" },
        GpPractices = _gps,
        StepDowns = _stepDowns,
    };

    public StepUpDown.Domain.Records.ChildRecord? Read(StaffDirectory? directory = null, IReadOnlyCollection<string>? leadRoles = null) =>
        new RecordReading(new SsdLevelCodes(), leadRoles ?? [], directory ?? StaffDirectory.Empty).Read(Person, Snapshot(), Today);
}
