namespace StepUpDown.Simulator;

/// <summary>One new version of a child's record in one case system, due on a simulated day.</summary>
/// <param name="Day">Days after the simulation started (fractions allowed).</param>
/// <param name="System">The case system: <c>social-care</c> or <c>early-help</c>.</param>
/// <param name="Record">The child's whole record in that system, as the contract's ChildRecord.</param>
public sealed record ScriptedChange(double Day, string System, Dictionary<string, object?> Record);

/// <summary>
/// A handful of fictional families (no real data: names, numbers and addresses are invented; the
/// NHS numbers pass Modulus 11 but belong to nobody) that step up, step down, step in and step out
/// over about three weeks of simulated time. Day 0 is what each system holds when first read (the
/// worker's baseline: stored, never notified).
/// </summary>
public static class ScriptedFamilies
{
    private const string Gp = "Y00001";

    private static readonly Dictionary<string, object?> SocialWorker = Professional("sw-17", "Sam Social", "Social worker", "social-care", "sam.social@council.example");
    private static readonly Dictionary<string, object?> FamilySupport = Professional("eh-7", "Pat Early", "Family support worker", "early-help", "pat.early@council.example");
    private static readonly Dictionary<string, object?> SchoolLead = Professional("sch-3", "Lee School", "Designated safeguarding lead", "school", "lee.school@council.example");

    /// <summary>Every change, by day, as <paramref name="start"/> (the simulation's day 0) dates them.</summary>
    public static IReadOnlyList<ScriptedChange> Changes(DateOnly start)
    {
        var amber = new Child(start, "social-care", "SC-1001", "Amber", "Oakley", "9434765919", "2016-03-14");
        var ben = new Child(start, "early-help", "EH-2001", "Ben", "Ashby", "9434765870", "2019-07-02");
        var benSocialCare = new Child(start, "social-care", "SC-1003", "Ben", "Ashby", "9434765870", "2019-07-02");
        var cara = new Child(start, "social-care", "SC-1002", "Cara", "Birch", "4010232137", "2013-11-23");
        var dan = new Child(start, "early-help", "EH-2002", "Dan", "Cedar", "9876543210", "2017-05-30");
        var eve = new Child(start, "early-help", "EH-2003", "Eve", "Dunmore", null, "2020-01-09");
        var finn = new Child(start, "social-care", "SC-1004", "Finn", "Elmore", "4010232218", "2015-02-11");
        var finnEarlyHelp = new Child(start, "early-help", "EH-2004", "Finn", "Elmore", "4010232218", "2015-02-11");
        var gina = new Child(start, "early-help", "EH-2005", "Gina", "Fairley", "9434766001", "2018-09-04");
        var finnStepDown = StepDown(start.AddDays(2), "EH", FamilySupport, familyConsent: true, smartPlan: start.AddDays(2), planShared: start.AddDays(2));

        return
        [
            // Day 0: the baseline.
            amber.Version(0, "CIN", SocialWorker, "cin"),
            ben.Version(0, "EH", FamilySupport, "eha"),
            cara.Version(0, "CP", SocialWorker, "cp"),
            dan.Version(0, "EH", FamilySupport, "tac"),
            finn.Version(0, "CIN", SocialWorker, "cin"),
            gina.Version(0, "EH", Accepted(FamilySupport, start.AddDays(-60)), "eha"),

            // Ben steps up: social care opens a child in need case (same NHS number: the same child).
            benSocialCare.Version(1, "CIN", SocialWorker, "cin"),

            // Amber: a step down to early help is agreed at a TAC meeting; nobody accepts it, so the ladder climbs.
            amber.Version(1.2, "CIN", SocialWorker, "cin", stepDown: StepDown(start.AddDays(1), "EH", FamilySupport, familyConsent: true)),

            // Cara: child protection ends at the review conference; the step down completes.
            cara.Version(1.5, "CP", SocialWorker, "cp", stepDown: StepDown(start.AddDays(1), "CIN", SocialWorker, familyConsent: true, smartPlan: start.AddDays(1))),
            cara.Version(3.5, "CIN", Accepted(SocialWorker, start.AddDays(3)), "cin",
                stepDown: StepDown(start.AddDays(1), "CIN", SocialWorker, familyConsent: true, smartPlan: start.AddDays(1), planShared: start.AddDays(3))),

            // Dan: family support steps in, then out because the family did not engage (a risk assessment is needed).
            dan.Version(2, "EH", FamilySupport, "tac", services: [Service("svc-41", "Family support group", "early-help", start.AddDays(2), null, null)]),
            dan.Version(4, "EH", FamilySupport, "tac", services: [Service("svc-41", "Family support group", "early-help", start.AddDays(2), start.AddDays(4), "non-engagement")]),

            // Finn: a step down to early help agreed; social care closes its case before early help
            // opens its record (the usual order): one step down, told with Pat's plan once it arrives.
            finn.Version(2, "CIN", SocialWorker, "cin", stepDown: finnStepDown),
            finn.Version(3, "CIN", SocialWorker, "cin", stepDown: finnStepDown, status: "closed"),
            finnEarlyHelp.Version(3.5, "EH", Accepted(FamilySupport, start.AddDays(3)), "tac"),

            // Gina: early help closes, needs met: the GP and the MASSH hear the plan has ended; nobody is chased.
            gina.Version(6, "EH", Accepted(FamilySupport, start.AddDays(-60)), "eha", status: "closed", closureReason: "needs-met"),

            // Eve: a new early help assessment (a step up from universal) without an NHS number: the MASSH is asked to match it.
            eve.Version(5, "EH", SchoolLead, "eha"),

            // Eve: the MASSH finds her NHS number and early help records it: her GP is told her current plan.
            eve.Version(7, "EH", SchoolLead, "eha", nhsNumberNow: "9990000026"),
        ];
    }

    private static Dictionary<string, object?> Professional(string id, string name, string role, string agency, string email) => new()
    {
        ["id"] = id, ["name"] = name, ["role"] = role, ["agency"] = agency, ["email"] = email, ["phone"] = "0100 000 0400",
    };

    private static Dictionary<string, object?> Accepted(Dictionary<string, object?> professional, DateOnly on) =>
        new(professional) { ["acceptedOn"] = Iso(on) };

    private static Dictionary<string, object?> StepDown(
        DateOnly agreedOn, string target, Dictionary<string, object?> proposedLead, bool familyConsent, DateOnly? smartPlan = null, DateOnly? planShared = null) => new()
    {
        ["agreedOn"] = Iso(agreedOn),
        ["forum"] = target == "EH" ? "tac-meeting" : "cp-conference",
        ["targetLevel"] = target,
        ["proposedLeadProfessional"] = proposedLead,
        ["familyConsent"] = familyConsent,
        ["smartPlanUpdatedOn"] = smartPlan is { } s ? Iso(s) : null,
        ["planSharedOn"] = planShared is { } p ? Iso(p) : null,
    };

    private static Dictionary<string, object?> Service(string id, string name, string agency, DateOnly joined, DateOnly? left, string? reason) => new()
    {
        ["serviceId"] = id, ["name"] = name, ["agency"] = agency, ["contactEmail"] = "family.support@council.example",
        ["joinedOn"] = Iso(joined), ["leftOn"] = left is { } l ? Iso(l) : null, ["leftReason"] = reason,
    };

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One fictional child in one system; each call to <see cref="Version"/> is its next version.</summary>
    private sealed class Child(DateOnly start, string system, string childId, string given, string family, string? nhsNumber, string dateOfBirth)
    {
        private long _version;

        public ScriptedChange Version(
            double day, string level, Dictionary<string, object?> lead, string planType,
            Dictionary<string, object?>? stepDown = null, IReadOnlyList<Dictionary<string, object?>>? services = null, string? nhsNumberNow = null,
            string status = "open", string? closureReason = null)
        {
            var updated = start.ToDateTime(TimeOnly.MinValue).AddDays(day);
            return new ScriptedChange(day, system, new Dictionary<string, object?>
            {
                ["childId"] = childId,
                ["nhsNumber"] = nhsNumberNow ?? nhsNumber,
                ["name"] = new { given, family },
                ["dateOfBirth"] = dateOfBirth,
                ["levelOfNeed"] = level,
                ["status"] = status,
                ["closedOn"] = status == "closed" ? Iso(DateOnly.FromDateTime(updated)) : null,
                ["closureReason"] = closureReason,
                ["allocatedTeam"] = new { name = "North locality team", managerName = "Morgan Manager", managerEmail = "morgan.manager@council.example" },
                ["leadProfessional"] = lead,
                ["plan"] = new
                {
                    type = planType,
                    startedOn = Iso(start.AddDays(-30)),
                    reviewDueOn = Iso(start.AddDays(60)),
                    summary = $"Fictional plan for {given}: weekly visits, support with school attendance and routines at home.",
                    outcomes = new[] { new { description = "Attends school every day", owner = "School", dueOn = Iso(start.AddDays(45)) } },
                },
                ["services"] = services ?? [],
                ["stepDown"] = stepDown,
                ["gpPractice"] = new { odsCode = Gp, name = "Riverside Medical Practice (fictional)" },
                ["updatedAt"] = new DateTimeOffset(DateTime.SpecifyKind(updated, DateTimeKind.Utc)).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["version"] = ++_version,
            });
        }
    }
}
