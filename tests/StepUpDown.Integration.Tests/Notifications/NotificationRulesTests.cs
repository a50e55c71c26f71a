using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Notifications;

/// <summary>Each row of the design's "who is told what" table, through the real pipeline to a real SMTP sink.</summary>
public sealed class NotificationRulesTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string Gp = "riverside.practice@nhs.example";
    private const string Massh = "massh@example-council.gov.uk";
    private const string Lead = "grace.hopper@council.example";
    private const string Manager = "mary.somerville@council.example";

    /// <summary>Adopts <paramref name="before"/>, then reads <paramref name="after"/>; returns (recipient, subject) of every email once all are delivered or failed.</summary>
    private async Task<IReadOnlyList<(string To, string Subject)>> EmailsForAsync(Dictionary<string, object?> before, Dictionary<string, object?> after)
    {
        Feed.ServePage(null, "c1", before);
        Feed.ServePage("c1", "c2", after);
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync(); // a permanent failure adds the MASSH's notice in its own transaction
        var sent = await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'sent'");
        var messages = await Mail.WaitForMessagesAsync((int)sent);
        return messages.Select(m => (m.To.Single().Address, m.Subject)).OrderBy(m => m.Address).ThenBy(m => m.Subject).ToList();
    }

    private static Dictionary<string, object?> With(Dictionary<string, object?> record, string key, object? value)
    {
        record[key] = value;
        return record;
    }

    [Fact]
    public async Task StepUpWithANewLead_TellsTheGpTheNewLeadAndTheMassh()
    {
        var after = With(Children.Record("SC-1", "CP", 2), "leadProfessional", new { id = "p2", name = "Alan Turing", email = "alan.turing@council.example" });

        var emails = await EmailsForAsync(Children.Record("SC-1", "EH", 1), after);

        emails.Select(e => e.To).ShouldBe(["alan.turing@council.example", Massh, Massh, Gp], ignoreOrder: true);
        emails.ShouldContain(e => e.To == Massh && e.Subject.StartsWith("Change of lead professional", StringComparison.Ordinal));
        emails.ShouldContain(e => e.To == Massh && e.Subject.StartsWith("Step up to Child protection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StepUpWithTheSameLead_DoesNotWriteToTheLead()
    {
        var emails = await EmailsForAsync(Children.Record("SC-1", "EH", 1), Children.Record("SC-1", "CP", 2));

        emails.Select(e => e.To).ShouldBe([Gp, Massh], ignoreOrder: true);
    }

    [Fact]
    public async Task StepDownAgreed_SendsTheHandoverPackToTheProposedLeadOnly()
    {
        var after = With(Children.Record("SC-1", "CIN", 2), "stepDown", new
        {
            agreedOn = "2026-11-18",
            forum = "tac-meeting",
            targetLevel = "EH",
            proposedLeadProfessional = new { name = "Ada Byron", email = "ada.byron@nhs.example", agency = "HV" },
        });

        var emails = await EmailsForAsync(Children.Record("SC-1", "CIN", 1), after);

        emails.ShouldBe([("ada.byron@nhs.example", $"Step down agreed: you are proposed as lead professional (ref {Reference(emails[0].Subject)})")]);
    }

    [Fact]
    public async Task UnplannedStepDown_TellsTheGpAndTheMasshAtOnce()
    {
        var emails = await EmailsForAsync(Children.Record("SC-1", "CP", 1), Children.Record("SC-1", "CIN", 2));

        emails.Select(e => e.To).ShouldBe([Gp, Massh], ignoreOrder: true);
        (await Mail.GetMessagesAsync()).Single(m => m.To[0].Address == Massh).Text.ShouldNotBeNull().ShouldContain("UNPLANNED");
    }

    [Fact]
    public async Task AgreedStepDown_TellsTheGpOfTheCurrentPlan_TheLeadAndMasshWaitForTheHandover()
    {
        var stepDown = new { agreedOn = "2026-11-02", targetLevel = "EH", proposedLeadProfessional = new { name = "Ada Byron", email = "ada.byron@nhs.example" } };

        var emails = await EmailsForAsync(
            With(Children.Record("SC-1", "CIN", 1), "stepDown", stepDown),
            With(Children.Record("SC-1", "EH", 2), "stepDown", stepDown));

        emails.ShouldHaveSingleItem().To.ShouldBe(Gp);
    }

    [Fact]
    public async Task StepIn_InformsTheLeadOnly()
    {
        var after = With(Children.Record("SC-1", "EH", 2), "services", new[] { new { serviceId = "S1", name = "School nursing", joinedOn = "2026-11-19" } });

        var emails = await EmailsForAsync(Children.Record("SC-1", "EH", 1), after);

        emails.ShouldHaveSingleItem().ShouldBe((Lead, $"Step in: School nursing (ref {Reference(emails[0].Subject)})"));
    }

    [Fact]
    public async Task StepOutForNonEngagement_RaisesARiskAssessmentWithTheLeadTheMasshAndTheTeamManager()
    {
        var joined = new { serviceId = "S1", name = "Family support", joinedOn = "2026-10-01", leftOn = (string?)null, leftReason = (string?)null };
        var left = joined with { leftOn = "2026-11-19", leftReason = "non-engagement" };

        var emails = await EmailsForAsync(
            With(Children.Record("SC-1", "EH", 1), "services", new[] { joined }),
            With(Children.Record("SC-1", "EH", 2), "services", new[] { left }));

        emails.Select(e => e.To).ShouldBe([Lead, Manager, Massh], ignoreOrder: true);
        emails.Single(e => e.To == Manager).Subject.ShouldStartWith("Risk assessment needed");
        var leadText = (await Mail.GetMessagesAsync()).Single(m => m.To[0].Address == Lead).Text;
        leadText.ShouldNotBeNull().ShouldContain("RISK ASSESSMENT NEEDED");
    }

    [Fact]
    public async Task RecipientOutsideTheSecureDomains_IsRefusedAndRecorded_AndTheMasshIsTold()
    {
        var after = With(Children.Record("SC-1", "EH", 2), "services", new[] { new { serviceId = "S1", name = "School nursing", joinedOn = "2026-11-19" } });
        after["leadProfessional"] = new { name = "Grace Hopper", email = "grace@gmail.example" };

        var emails = await EmailsForAsync(With(Children.Record("SC-1", "EH", 1), "leadProfessional", new { name = "Grace Hopper", email = "grace@gmail.example" }), after);

        var failure = await Worker.QueryScalarAsync<string>("SELECT state || ': ' || last_error FROM stepupdown.notifications WHERE recipient_role = 'lead-professional'");
        failure.ShouldBe("failed: The lead-professional's email domain is not on the secure-domain allow-list; nothing was sent.");
        var toMassh = emails.ShouldHaveSingleItem();
        toMassh.To.ShouldBe(Massh);
        toMassh.Subject.ShouldStartWith("Could not notify the lead-professional: step in needs follow-up");
        (await Mail.GetMessagesAsync()).Single().Text.ShouldNotBeNull().ShouldContain("Reason: The lead-professional's email domain is not on the secure-domain allow-list");
    }

    private static string Reference(string subject) => subject[(subject.LastIndexOf("ref ", StringComparison.Ordinal) + 4)..].TrimEnd(')');
}
