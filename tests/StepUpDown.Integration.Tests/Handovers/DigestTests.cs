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
/// same week sends nothing more.
/// </summary>
public sealed class DigestTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string Mary = "mary.somerville@council.example";
    private const string Omar = "omar.khayyam@council.example";
    private const string Massh = "massh@example-council.gov.uk";

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

        var first = await DigestsAt("2026-11-11T08:00:00Z").SendAsync(CancellationToken.None);
        var again = await DigestsAt("2026-11-13T08:00:00Z").SendAsync(CancellationToken.None);
        var digests = (await Mail.WaitForMessagesAsync((int)before + 3)).Where(m => m.Subject.StartsWith("Weekly handovers", StringComparison.Ordinal)).ToList();

        first.ShouldBe(new DigestResult(Sent: 3, AlreadySent: 0, Failed: 0, WithoutManager: 1));
        again.ShouldBe(new DigestResult(Sent: 0, AlreadySent: 3, Failed: 0, WithoutManager: 1));
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

        var runs = await Task.WhenAll(DigestsAt("2026-11-11T08:00:00Z").SendAsync(CancellationToken.None), DigestsAt("2026-11-11T08:00:00Z").SendAsync(CancellationToken.None));

        runs.Sum(r => r.Sent).ShouldBe(2);
        var digests = (await Mail.GetMessagesAsync()).Where(m => m.Subject.StartsWith("Weekly handovers", StringComparison.Ordinal)).ToList();
        digests.Select(d => d.To.Single().Address).ShouldBe([Mary, Omar], ignoreOrder: true);
    }

    [Fact]
    public async Task TheDatabaseCutAsTheRelayAcceptsADigest_IsRecordedAsSent_AndTheRetrySendsThatManagerNoSecond()
    {
        await OpenAHandoverForEachManagerAsync();
        await Mail.ClearAsync();
        var cutting = new CutAfterFirstAccepted(Worker.App.Services.GetRequiredService<IMailTransport>(), Worker.ConnectionString);
        var digests = ActivatorUtilities.CreateInstance<HandoverDigests>(
            Worker.App.Services, new FakeTimeProvider(DateTimeOffset.Parse("2026-11-11T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture)), cutting);

        DigestResult? first = null;
        try
        {
            first = await digests.SendAsync(CancellationToken.None);
        }
        catch (DeliveryDeferredException)
        {
            // What the old code did: the job failed, and Hangfire's retry is the second run below.
        }

        var retry = await digests.SendAsync(CancellationToken.None);
        var received = (await Mail.GetMessagesAsync()).Where(m => m.Subject.StartsWith("Weekly handovers", StringComparison.Ordinal)).ToList();

        cutting.Cut.ShouldBeTrue();
        received.Select(d => d.To.Single().Address).ShouldBe([Mary, Omar], ignoreOrder: true, "each manager once, the one accepted as the database went included");
        first.ShouldBe(new DigestResult(Sent: 2, AlreadySent: 0, Failed: 0, WithoutManager: 0));
        retry.ShouldBe(new DigestResult(Sent: 0, AlreadySent: 2, Failed: 0, WithoutManager: 0));
    }

    /// <summary>The real relay; once it has accepted the first message, every session of the worker's database is ended.</summary>
    private sealed class CutAfterFirstAccepted(IMailTransport relay, string connectionString) : IMailTransport
    {
        public bool Cut { get; private set; }

        public bool ReachesRecipients => relay.ReachesRecipients;

        public async Task SendAsync(MimeKit.MimeMessage message, Func<CancellationToken, Task<bool>>? stillOwned, CancellationToken cancellationToken)
        {
            await relay.SendAsync(message, stillOwned, cancellationToken);
            if (!Cut)
            {
                Cut = true;
                await using var admin = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
                await admin.OpenAsync(cancellationToken);
                await using var terminate = new Npgsql.NpgsqlCommand(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", admin);
                await terminate.ExecuteNonQueryAsync(cancellationToken);
            }
        }
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

        var result = await DigestsAt("2026-11-11T08:00:00Z").SendAsync(CancellationToken.None);

        result.ShouldBe(new DigestResult(Sent: 2, AlreadySent: 0, Failed: 0, WithoutManager: 2), "a wrong record is the MASSH's to correct, not a job failing every week");
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
