using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.CaseFeeds;

/// <summary>Social care and early help watched together: one child, one journey.</summary>
public sealed class CrossSourceDetectionTests(PostgresFixture postgres, MailDevFixture mail) : TwoSourceTest(postgres, mail)
{
    private Task<IReadOnlyList<(string Source, string Kind, string From, string To)>> StepsAsync() =>
        Worker.QueryAsync<(string, string, string, string)>("SELECT source, kind, from_level, to_level FROM stepupdown.steps ORDER BY detected_at, kind");

    private Task AdoptBothAsync(params object[] socialCareRecords) => AdoptAsync(socialCareRecords, []);

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
        EarlyHelpFeed.ServePage("e1", "e2", earlyHelp);
        await Worker.PollAsync(EarlyHelp);
        var agreed = Children.Record("SC-1", "CIN", 2);
        agreed["stepDown"] = new { agreedOn = "2026-11-18", forum = "tac-meeting", targetLevel = "EH" };
        var closed = Children.Record("SC-1", "CIN", 3, status: "closed");
        closed["stepDown"] = agreed["stepDown"];
        SocialCareFeed.ServePage("s1", "s2", agreed, closed);
        await Worker.PollAsync();

        (await StepsAsync()).Where(s => s.Kind is "StepUp" or "StepDown").ShouldBe([("social-care", "StepDown", "child-in-need", "early-help")]);
        (await StepsAsync()).Select(s => s.Kind).ShouldBe(["LeadProfessionalChanged", "StepDownAgreed", "Closure", "StepDown"], ignoreOrder: true);
        (await Worker.QueryScalarAsync<bool>("SELECT planned FROM stepupdown.handovers")).ShouldBeTrue();
    }

    [Fact]
    public async Task SocialCareClosesWithNoAgreement_EarlyHelpOpen_OpensAnUnplannedHandover()
    {
        await AdoptBothAsync(Children.Record("SC-1", "CIN", 1));
        EarlyHelpFeed.ServePage("e1", "e2", Children.Record("EH-7", "EH", 1));
        await Worker.PollAsync(EarlyHelp);
        SocialCareFeed.ServePage("s1", "s2", Children.Record("SC-1", "CIN", 2, status: "closed"));

        await Worker.PollAsync();

        var handover = (await Worker.QueryAsync<(string ChildId, bool Planned, string State)>(
            "SELECT child_id, planned, state FROM stepupdown.handovers")).ShouldHaveSingleItem();
        handover.ShouldBe(("SC-1", false, "open"));
        (await Worker.QueryScalarAsync<string>("SELECT array_to_string(markers, ',') FROM stepupdown.steps WHERE kind = 'StepDown'"))
            .ShouldBe("Unplanned");
    }

    [Fact]
    public async Task StepUpWithinAYearOfAClosureToUniversal_IsMarkedAsAReReferral_ButNotAfterAnUnplannedFallStillBeingHandedOver()
    {
        await AdoptBothAsync(Children.Record("SC-1", "CIN", 1));
        SocialCareFeed.ServePage("s1", "s2", Children.Record("SC-1", "EH", 2));
        await Worker.PollAsync();
        SocialCareFeed.ServePage("s2", "s3", Children.Record("SC-1", "CP", 3));
        await Worker.PollAsync();
        SocialCareFeed.ServePage("s3", "s4", Children.Record("SC-1", "CP", 4, status: "closed"));
        await Worker.PollAsync();
        EarlyHelpFeed.ServePage("e1", "e2", Children.Record("EH-7", "EH", 1));

        await Worker.PollAsync(EarlyHelp);

        (await Worker.QueryAsync<(string Source, string Markers)>(
                "SELECT source, array_to_string(markers, ',') FROM stepupdown.steps WHERE kind = 'StepUp' ORDER BY detected_at"))
            .ShouldBe([("social-care", ""), ("early-help", "ReReferral")], "CIN -> EH was unplanned and still being handed over; CP -> universal was a closure");
        await Worker.WaitForLedgerSettledAsync();
        var toGp = (await Mail.GetMessagesAsync()).Where(m => m.To.Any(t => t.Address == "riverside.practice@nhs.example")).ToList();
        toGp.Count(m => m.Text?.Contains("RE-REFERRAL: this child stepped down within the last 12 months.", StringComparison.Ordinal) == true).ShouldBe(1);
    }
}
