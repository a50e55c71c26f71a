using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Handovers;

/// <summary>
/// The weekly digest through the real worker, PostgreSQL and the SMTP sink: two teams' managers
/// each get one email of their own team's open handovers, stalled first, with what is missing
/// and what comes next; the MASSH gets those whose record names no team manager; a re-run the
/// same week adds nothing more. A digest is a ledger row (one per manager and week) that the
/// dispatch sends, and a bounce reaches it like any notice.
/// </summary>
public sealed class DigestTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string ViewerPassword = "viewer password for tests";
    private const string Mary = "mary.somerville@council.example";
    private const string Omar = "omar.khayyam@council.example";
    private const string Massh = "massh@example-council.gov.uk";

    protected override void Adjust(Dictionary<string, string?> settings) => Dashboard.DashboardClient.AddAccount(settings, "vera", ViewerPassword, "viewer");

    private static Dictionary<string, object?> Agreed(string childId, string nhsNumber, string agreedOn, string? manager = null, bool noTeam = false)
    {
        var record = Children.Record(childId, "CIN", 2, nhsNumber: nhsNumber);
        record["stepDown"] = new Dictionary<string, object?>
        {
            ["agreedOn"] = agreedOn, ["forum"] = "tac-meeting", ["targetLevel"] = "EH", ["familyConsent"] = true,
            ["proposedLeadProfessional"] = new { id = "eh-7", name = "Pat Early", agency = "early-help", email = "pat.early@council.example" },
        };
        if (noTeam)
        {
            record["allocatedTeam"] = null;
        }
        else if (manager is not null)
        {
            record["allocatedTeam"] = new { name = "South CIN team", managerName = "Omar Khayyam", managerEmail = manager };
        }

        return record;
    }

    private HandoverDigests DigestsAt(string instant) =>
        ActivatorUtilities.CreateInstance<HandoverDigests>(Worker.App.Services, new FakeTimeProvider(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public async Task EachTeamManager_GetsOneDigestOfTheirOwnOpenHandovers_StalledFirst_WithWhatComesNext_AndOnlyOnceAWeek()
    {
        string[] numbers = [Children.NhsNumberFor(1), Children.NhsNumberFor(2), Children.NhsNumberFor(3), Children.NhsNumberFor(4)];
        Feed.ServePage(null, "c1",
            Children.Record("SC-1", "CIN", 1, nhsNumber: numbers[0]), Children.Record("SC-2", "CIN", 1, nhsNumber: numbers[1]), Children.Record("SC-3", "CIN", 1, nhsNumber: numbers[2]),
            Children.Record("SC-4", "CIN", 1, nhsNumber: numbers[3]));
        Feed.ServePage("c1", "c2", Agreed("SC-1", numbers[0], "2026-11-09"), Agreed("SC-2", numbers[1], "2026-11-02"), Agreed("SC-3", numbers[2], "2026-11-02", manager: Omar),
            Agreed("SC-4", numbers[3], "2026-11-09", noTeam: true));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.SweepOnAsync("2026-11-09"); // SC-2 and SC-3: 5 working days, Stage 1 to their team managers
        await Worker.SweepOnAsync("2026-11-10");
        await Worker.WaitForLedgerSettledAsync();
        var before = await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'sent'");
        await Mail.WaitForMessagesAsync((int)before);

        var first = await DigestsAt("2026-11-11T08:00:00Z").WriteAsync(CancellationToken.None);
        var again = await DigestsAt("2026-11-13T08:00:00Z").WriteAsync(CancellationToken.None);
        var digests = (await Mail.WaitForMessagesAsync((int)before + 3)).Where(m => m.Subject.StartsWith("Weekly handovers", StringComparison.Ordinal)).ToList();
        await Worker.WaitForLedgerSettledAsync();

        first.ShouldBe(new DigestResult(Added: 3, AlreadyAdded: 0, WithoutManager: 1));
        again.ShouldBe(new DigestResult(Added: 0, AlreadyAdded: 3, WithoutManager: 1));
        (await Worker.QueryAsync<(string Role, string State, bool Cleared, string Address)>(
                "SELECT recipient_role, state, content IS NULL, recipient_address FROM stepupdown.notifications WHERE step_id IS NULL"))
            .ShouldBe([("digest", "sent", true, Mary), ("digest", "sent", true, Omar), ("digest", "sent", true, Massh)], ignoreOrder: true,
                "one ledger row per manager and week, sent by the dispatch, what it said cleared once it went");
        digests.Select(d => d.To.Single().Address).ShouldBe([Mary, Omar, Massh], ignoreOrder: true);
        digests.Single(d => d.To.Single().Address == Massh).Text.ShouldNotBeNull().ShouldContain("social-care SC-4", customMessage: "no team manager on its record: the MASSH is told");
        var toMary = digests.Single(d => d.To.Single().Address == Mary);
        toMary.Subject.ShouldBe("Weekly handovers for North CIN team: 2 open, 1 stalled (week of 9 November 2026)");
        var text = toMary.Text.ShouldNotBeNull();
        text.IndexOf("social-care SC-2", StringComparison.Ordinal).ShouldBeLessThan(text.IndexOf("social-care SC-1", StringComparison.Ordinal), "stalled first");
        text.ShouldContain("Last ladder stage sent: Stage 1: team manager");
        text.ShouldContain("Next: Stage 2: team manager and agency manager on 16 November 2026");
        text.ShouldContain("New lead professional has accepted the role");
        text.ShouldNotContain("SC-3", customMessage: "Omar's team's child");
        toMary.Html.ShouldNotBeNull().ShouldContain("<td>social-care SC-2</td>");
        foreach (var part in new[] { text, toMary.Html })
        {
            part.ShouldNotContain("Ada", customMessage: "children are named by id only");
            part.ShouldNotContain("Lovelace");
        }
    }

    /// <summary>Two children stepped down on 2026-11-09, one in Mary's team and one in Omar's; their notices sent.</summary>
    private async Task OpenAHandoverForEachManagerAsync()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "CIN", 1, nhsNumber: Children.NhsNumberFor(1)), Children.Record("SC-2", "CIN", 1, nhsNumber: Children.NhsNumberFor(2)));
        Feed.ServePage("c1", "c2", Agreed("SC-1", Children.NhsNumberFor(1), "2026-11-09"), Agreed("SC-2", Children.NhsNumberFor(2), "2026-11-09", manager: Omar));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();
    }

    [Fact]
    public async Task TwoRunsAtOnce_TriggerNowDuringTheScheduledRun_SendEachManagerOneDigest()
    {
        await OpenAHandoverForEachManagerAsync();

        var runs = await Task.WhenAll(DigestsAt("2026-11-11T08:00:00Z").WriteAsync(CancellationToken.None), DigestsAt("2026-11-11T08:00:00Z").WriteAsync(CancellationToken.None));
        await Worker.WaitForLedgerSettledAsync();

        runs.Sum(r => r.Added).ShouldBe(2);
        var digests = (await Mail.GetMessagesAsync()).Where(m => m.Subject.StartsWith("Weekly handovers", StringComparison.Ordinal)).ToList();
        digests.Select(d => d.To.Single().Address).ShouldBe([Mary, Omar], ignoreOrder: true);
    }

    [Fact]
    public async Task ABouncedDigest_IsRecordedOnItsRow_AndTellsNoOneOfAStepItIsNotAbout()
    {
        await OpenAHandoverForEachManagerAsync();
        await DigestsAt("2026-11-11T08:00:00Z").WriteAsync(CancellationToken.None);
        await Worker.WaitForLedgerSettledAsync();
        var toMary = HandoverDigests.IdOf(new DateOnly(2026, 11, 9), Mary);
        var rowsBefore = await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications");

        var effect = await Worker.Get<StepUpDown.Integration.Notifications.NotificationLedger>().BounceAsync(
            toMary, "5.1.1", DateTimeOffset.UtcNow, "The receiving server could not deliver it: 5.1.1", Worker.Get<StepUpDown.Integration.Notifications.NotificationPlanner>().Undelivered);

        effect.ShouldBe(StepUpDown.Integration.Notifications.ReportEffect.Recorded);
        (await Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @toMary", new { toMary })).ShouldBe("bounced");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications")).ShouldBe(rowsBefore, "a digest is about no one child: no MASSH notice of a step");
        using var viewer = new Dashboard.DashboardClient(Worker.BaseAddress);
        await viewer.SignInAsync("vera", ViewerPassword);
        var page = await (await viewer.GetPageAsync("/hangfire/delivery-reports")).Content.ReadAsStringAsync();
        page.ShouldContain("<td>weekly digest</td>", Case.Sensitive, "ops see a manager's digest bounced among the bounced notices");
    }

    /// <summary>V023 moved the digests already sent into the ledger under the ids this code gives them: a re-run after the upgrade sends none again.</summary>
    [Fact]
    public async Task TheMigrationsIdOfADigestSent_IsTheOneTheCodeGivesIt()
    {
        var migrated = await Worker.QueryScalarAsync<Guid>(
            """
            SELECT encode(substring(sha256(convert_to('digest' || E'\n' || to_char(date '2026-11-09', 'YYYY-MM-DD') || E'\n' || @manager, 'UTF8')) FROM 1 FOR 16), 'hex')::uuid
            """,
            new { manager = Mary });

        migrated.ShouldBe(HandoverDigests.IdOf(new DateOnly(2026, 11, 9), Mary));
    }

    [Fact]
    public async Task AManagerAddressThatMayNotBeSentTo_IsListedToTheMassh_SayingWhy_AndTheJobDoesNotFail()
    {
        string[] numbers = [Children.NhsNumberFor(1), Children.NhsNumberFor(2), Children.NhsNumberFor(3)];
        Feed.ServePage(null, "c1",
            Children.Record("SC-1", "CIN", 1, nhsNumber: numbers[0]), Children.Record("SC-2", "CIN", 1, nhsNumber: numbers[1]), Children.Record("SC-3", "CIN", 1, nhsNumber: numbers[2]));
        Feed.ServePage("c1", "c2", Agreed("SC-1", numbers[0], "2026-11-09", manager: "omar.khayyam@webmail.example"), Agreed("SC-2", numbers[1], "2026-11-09", manager: "not an address"),
            Agreed("SC-3", numbers[2], "2026-11-09", manager: Omar));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();
        await Mail.ClearAsync();

        var result = await DigestsAt("2026-11-11T08:00:00Z").WriteAsync(CancellationToken.None);
        await Worker.WaitForLedgerSettledAsync();

        result.ShouldBe(new DigestResult(Added: 2, AlreadyAdded: 0, WithoutManager: 2), "a wrong record is the MASSH's to correct, not a job failing every week");
        var digests = await Mail.GetMessagesAsync();
        digests.Select(d => d.To.Single().Address).ShouldBe([Omar, Massh], ignoreOrder: true, "nothing to an address off the secure-domain list");
        var toMassh = digests.Single(d => d.To.Single().Address == Massh).Text.ShouldNotBeNull();
        toMassh.ShouldContain("Step down handovers with no team manager to send to (each says what to correct on its record) still open in the week of 9 November 2026: 2");
        toMassh.ShouldContain("social-care SC-1");
        toMassh.ShouldContain("team manager email is not on the secure-domain list: correct it in the case system");
        toMassh.ShouldContain("social-care SC-2");
        toMassh.ShouldContain("team manager email is not a valid address");
        toMassh.ShouldNotContain("SC-3", customMessage: "Omar's own child is in Omar's digest");
        toMassh.ShouldNotContain("webmail.example", customMessage: "the wrong address is not repeated: the record holds it");
    }
}
