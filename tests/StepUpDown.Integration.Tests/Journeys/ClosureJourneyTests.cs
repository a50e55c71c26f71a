using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Journeys;

/// <summary>
/// Closures that are not step downs (design), through the real worker, two feed doubles and the
/// SMTP sink: a child who died is told to the MASSH alone and ends the handover; a case that moved
/// to another council is told to the GP and the MASSH as a move, never as a plan that ended.
/// </summary>
public sealed class ClosureJourneyTests(PostgresFixture postgres, MailDevFixture mail) : TwoSourceTest(postgres, mail)
{
    private const string Gp = "riverside.practice@nhs.example";
    private const string Massh = "massh@example-council.gov.uk";
    private const string Pat = "pat.early@council.example";

    private static Dictionary<string, object?> SocialCare(long version, string status = "open", string? reason = null, string? transferredTo = null)
    {
        var record = Children.Record("SC-1", "CIN", version, status: status);
        record["plan"] = new { type = "cin", summary = "CIN plan: weekly social work visits." };
        record["stepDown"] = new Dictionary<string, object?>
        {
            ["agreedOn"] = "2026-11-18", ["forum"] = "plan-review", ["targetLevel"] = "EH", ["familyConsent"] = true,
            ["proposedLeadProfessional"] = new { id = "eh-7", name = "Pat Early", agency = "early-help", email = Pat },
        };
        if (status == "closed")
        {
            record["closedOn"] = "2026-11-20";
            record["closureReason"] = reason;
            record["transferredTo"] = transferredTo;
        }

        return record;
    }

    private async Task<IReadOnlyList<ReceivedMail>> DeliveredAsync()
    {
        await Worker.WaitForLedgerSettledAsync();
        var sent = await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'sent'");
        return await Mail.WaitForMessagesAsync((int)sent);
    }

    private Task<IReadOnlyList<string>> StepKindsAsync() =>
        Worker.QueryAsync<string>("SELECT kind FROM stepupdown.steps WHERE kind NOT IN ('StepDownAgreed', 'LeadProfessionalChanged') ORDER BY detected_at, kind");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AChildWhoDied_IsToldToTheMasshAlone_NeverAsAStepDown_AndTheirHandoverIsWithdrawn(bool earlyHelpKnowsTheChild)
    {
        var earlyHelp = Children.Record("EH-7", "EH", 1);
        await AdoptAsync([Children.Record("SC-1", "CIN", 1)], earlyHelpKnowsTheChild ? [earlyHelp] : []);
        SocialCareFeed.ServePage("s1", "s2", SocialCare(2));
        await Worker.PollAsync();
        var beforeDeath = (await DeliveredAsync()).Count;

        SocialCareFeed.ServePage("s2", "s3", SocialCare(3, "closed", "died"));
        await Worker.PollAsync();
        var swept = await Worker.SweepOnAsync("2026-12-18"); // long past every ladder stage
        var afterDeath = (await DeliveredAsync()).Skip(beforeDeath).ToList();

        (await StepKindsAsync()).ShouldBe(["ChildDied"], "not a step down, nor a closure to universal");
        var told = afterDeath.ShouldHaveSingleItem("the MASSH alone; no ladder stage for a child who died");
        told.To.Single().Address.ShouldBe(Massh);
        told.Subject.ShouldContain("Case closed: the child has died");
        told.Text.ShouldNotBeNull().ShouldContain("social-care closed the case on 20 November 2026 because the child died");
        afterDeath.ShouldNotContain(m => m.To.Any(t => t.Address == Gp), "the GP is never told 'step down: the plan has ended'");
        swept.Withdrawn.ShouldBe(1);
        (await Worker.QueryAsync<(string, string)>("SELECT state, closed_reason FROM stepupdown.handovers")).ShouldBe([("withdrawn", "the child died")]);
    }

    [Fact]
    public async Task ACaseThatMovedToAnotherCouncil_IsToldToTheGpAndTheMassh_AsAMove_WithNoHandover()
    {
        await AdoptAsync([Children.Record("SC-1", "CIN", 1)], []);
        var moved = Children.Record("SC-1", "CIN", 2, status: "closed");
        moved["closedOn"] = "2026-11-20";
        moved["closureReason"] = "transferred-out";
        moved["transferredTo"] = "Example Borough Council";
        SocialCareFeed.ServePage("s1", "s2", moved);

        await Worker.PollAsync();
        var delivered = await DeliveredAsync();

        (await StepKindsAsync()).ShouldBe(["TransferredOut"]);
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.handovers")).ShouldBe(0);
        delivered.Select(m => m.To.Single().Address).ShouldBe([Gp, Massh], ignoreOrder: true);
        var toGp = delivered.Single(m => m.To.Single().Address == Gp);
        toGp.Subject.ShouldContain("Case moved to another council (Example Borough Council)");
        toGp.Text.ShouldNotBeNull().ShouldContain("has moved to Example Borough Council");
        toGp.Text.ShouldNotContain("plan has ended");
    }
}
