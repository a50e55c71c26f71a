using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.CaseFeeds;

/// <summary>Social care and early help watched together: one child, one journey.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class CrossSourceDetectionTests(PostgresFixture postgres, MailDevFixture mail) : IAsyncLifetime
{
    private const string EarlyHelp = "early-help";
    private readonly FeedServer _socialCare = new();
    private readonly FeedServer _earlyHelp = new();
    private WorkerHarness _worker = null!;

    public async Task InitializeAsync()
    {
        await mail.ClearAsync();
        _worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _socialCare.Url, mail,
            settings => WorkerHarness.AddSource(settings, EarlyHelp, _earlyHelp.Url));
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        _socialCare.Dispose();
        _earlyHelp.Dispose();
    }

    private Task<IReadOnlyList<(string Source, string Kind, string From, string To)>> StepsAsync() =>
        _worker.QueryAsync<(string, string, string, string)>("SELECT source, kind, from_level, to_level FROM stepupdown.steps ORDER BY detected_at, kind");

    private async Task AdoptBothAsync(params object[] socialCareRecords)
    {
        _socialCare.ServePage(null, "s1", socialCareRecords);
        _earlyHelp.ServePage(null, "e1");
        await _worker.PollAsync();
        await _worker.PollAsync(EarlyHelp);
    }

    [Theory]
    [InlineData("nhs")]
    [InlineData("externalIds")]
    public async Task StepDownFromChildInNeedToEarlyHelp_AcrossTwoSystems_IsOneStepDown(string matchBy)
    {
        var socialCare = Children.Record("SC-1", "CIN", 1);
        await AdoptBothAsync(socialCare);
        var earlyHelp = Children.Record("EH-7", "EH", 1, nhsNumber: matchBy == "nhs" ? Children.ValidNhsNumber : null);
        if (matchBy == "externalIds")
        {
            earlyHelp["externalIds"] = new[] { new { system = WorkerHarness.Source, id = "SC-1" } };
        }

        // The EHA opens while social care still holds child in need: no step up.
        _earlyHelp.ServePage("e1", "e2", earlyHelp);
        await _worker.PollAsync(EarlyHelp);
        var agreed = Children.Record("SC-1", "CIN", 2);
        agreed["stepDown"] = new { agreedOn = "2026-11-18", forum = "tac-meeting", targetLevel = "EH" };
        var closed = Children.Record("SC-1", "CIN", 3, status: "closed");
        closed["stepDown"] = agreed["stepDown"];
        _socialCare.ServePage("s1", "s2", agreed, closed);
        await _worker.PollAsync();

        (await StepsAsync()).Where(s => s.Kind is "StepUp" or "StepDown").ShouldBe([("social-care", "StepDown", "child-in-need", "early-help")]);
        (await StepsAsync()).Select(s => s.Kind).ShouldBe(["LeadProfessionalChanged", "StepDownAgreed", "Closure", "StepDown"], ignoreOrder: true);
        (await _worker.QueryScalarAsync<bool>("SELECT planned FROM stepupdown.handovers")).ShouldBeTrue();
    }

    [Fact]
    public async Task SocialCareClosesWithNoAgreement_EarlyHelpOpen_OpensAnUnplannedHandover()
    {
        await AdoptBothAsync(Children.Record("SC-1", "CIN", 1));
        _earlyHelp.ServePage("e1", "e2", Children.Record("EH-7", "EH", 1));
        await _worker.PollAsync(EarlyHelp);
        _socialCare.ServePage("s1", "s2", Children.Record("SC-1", "CIN", 2, status: "closed"));

        await _worker.PollAsync();

        var handover = (await _worker.QueryAsync<(string ChildId, bool Planned, string State)>(
            "SELECT child_id, planned, state FROM stepupdown.handovers")).ShouldHaveSingleItem();
        handover.ShouldBe(("SC-1", false, "open"));
        (await _worker.QueryScalarAsync<string>("SELECT array_to_string(markers, ',') FROM stepupdown.steps WHERE kind = 'StepDown'"))
            .ShouldBe("Unplanned");
    }

    [Fact]
    public async Task StepUpWithinAYearOfAClosureToUniversal_IsMarkedAsAReReferral_ButNotAfterAnUnplannedFallStillBeingHandedOver()
    {
        await AdoptBothAsync(Children.Record("SC-1", "CIN", 1));
        _socialCare.ServePage("s1", "s2", Children.Record("SC-1", "EH", 2));
        await _worker.PollAsync();
        _socialCare.ServePage("s2", "s3", Children.Record("SC-1", "CP", 3));
        await _worker.PollAsync();
        _socialCare.ServePage("s3", "s4", Children.Record("SC-1", "CP", 4, status: "closed"));
        await _worker.PollAsync();
        _earlyHelp.ServePage("e1", "e2", Children.Record("EH-7", "EH", 1));

        await _worker.PollAsync(EarlyHelp);

        (await _worker.QueryAsync<(string Source, string Markers)>(
                "SELECT source, array_to_string(markers, ',') FROM stepupdown.steps WHERE kind = 'StepUp' ORDER BY detected_at"))
            .ShouldBe([("social-care", ""), ("early-help", "ReReferral")], "CIN -> EH was unplanned and still being handed over; CP -> universal was a closure");
        await _worker.WaitForLedgerSettledAsync();
        var toGp = (await mail.GetMessagesAsync()).Where(m => m.To.Any(t => t.Address == "riverside.practice@nhs.example")).ToList();
        toGp.Count(m => m.Text?.Contains("RE-REFERRAL: this child stepped down within the last 12 months.", StringComparison.Ordinal) == true).ShouldBe(1);
    }
}
