using StepUpDown.Integration.Monitoring;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Journeys;

/// <summary>
/// Sources that do not record agreements (design; <c>TracksStepDownAgreements: false</c>, as a feed
/// served from the Standard Safeguarding Dataset must be): a fall is told as a step down to the GP,
/// the MASSH and the new lead, but opens no handover and runs no ladder; the report counts it.
/// </summary>
public sealed class UntrackedAgreementsTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    protected override void Adjust(Dictionary<string, string?> settings) =>
        settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:TracksStepDownAgreements"] = "false";

    [Fact]
    public async Task AFallFromASourceThatRecordsNoAgreements_IsToldAsAStepDown_WithNoHandoverNorLadder()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "CIN", 1));
        var fallen = Children.Record("SC-1", "EH", 2);
        fallen["leadProfessional"] = new { name = "Pat Early", role = "Family support worker", agency = "early-help", email = "pat.early@council.example" };
        Feed.ServePage("c1", "c2", fallen);
        await Worker.PollAsync();

        await Worker.PollAsync();
        var swept = await Worker.SweepOnAsync("2026-12-30");
        await Worker.WaitForLedgerSettledAsync();
        var report = await Worker.Get<MonitoringReports>().BuildAsync(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 31), CancellationToken.None);

        (await Worker.QueryAsync<(string Kind, string Markers)>("SELECT kind, array_to_string(markers, ',') FROM stepupdown.steps WHERE kind = 'StepDown'"))
            .ShouldBe([("StepDown", "HandoverNotTracked")]);
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.handovers")).ShouldBe(0, "nobody can record the checklist: no handover, no ladder");
        swept.Reviewed.ShouldBe(0);
        (await Worker.QueryAsync<string>("SELECT recipient_role FROM stepupdown.notifications WHERE state = 'sent' ORDER BY 1"))
            .ShouldBe(["gp", "lead-professional", "massh", "massh"], "the MASSH hears of the fall and of its new lead, as for any fall nobody agreed");
        report.StepDowns.HandoverNotTracked.ShouldBe(1);
        report.StepDowns.Unplanned.ShouldBe(0);
    }
}
