using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Journeys;

/// <summary>
/// <c>externalIds</c> never link two records that hold different valid NHS numbers (design:
/// Journeys; issue 29): a case system that names the wrong record in another system must not put
/// that other child's level, lead and plan in this child's notices to the GP; the MASSH is asked to match.
/// </summary>
public sealed class IdentityConflictTests(PostgresFixture postgres, MailDevFixture mail) : TwoSourceTest(postgres, mail)
{
    private const string Gp = "riverside.practice@nhs.example";

    [Fact]
    public async Task ARecordNamingAnotherChildsRecord_IsNotLinkedToIt_ItsGpHearsOnlyOfItsOwnChild_AndTheMasshIsAskedToMatch()
    {
        var socialCare = Children.Record("SC-1", "EH", 1, nhsNumber: Children.NhsNumberFor(1));
        var otherChild = Children.Record("EH-7", "CIN", 1, given: "Bartholomew", nhsNumber: Children.NhsNumberFor(2));
        otherChild["leadProfessional"] = new { name = "Orla Otherlead", email = "orla.otherlead@council.example" };
        await AdoptAsync([socialCare], [otherChild]);
        var steppedUp = Children.Record("SC-1", "CP", 2, nhsNumber: Children.NhsNumberFor(1));
        steppedUp["externalIds"] = new[] { new { system = EarlyHelp, id = "EH-7" } };
        SocialCareFeed.ServePage("s1", "s2", steppedUp);

        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();
        var sent = await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'sent'");
        var delivered = await Mail.WaitForMessagesAsync((int)sent);
        var toGp = delivered.Single(m => m.To.Any(t => t.Address == Gp));
        var toMassh = delivered.Single(m => m.Subject.Contains("Two children linked by their external ids", StringComparison.Ordinal));

        (await Worker.QueryAsync<(string From, string To)>("SELECT from_level, to_level FROM stepupdown.steps WHERE kind = 'StepUp'"))
            .ShouldBe([("early-help", "child-protection")], "measured from this child's own level, not the other child's");
        toGp.Text.ShouldNotBeNull().ShouldNotContain("Orla Otherlead");
        toGp.Text.ShouldNotContain("Bartholomew");
        toMassh.To.Single().Address.ShouldBe("massh@example-council.gov.uk");
        toMassh.Text.ShouldNotBeNull().ShouldContain("social-care case SC-1 and early-help, case id EH-7 name each other");
    }
}
