using StepUpDown.Integration.Tests.Fixtures;
using static StepUpDown.Integration.Tests.SsdFeed.SsdFeedServer;

namespace StepUpDown.Integration.Tests.SsdFeed;

/// <summary>
/// From the council's dataset to the GP's mailbox (issue 31, "done when"): the SSD feed reads the
/// dataset's tables, the worker polls it as any case feed, with no other set-up than the settings.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class SsdJourneyTests(PostgresFixture postgres, MailDevFixture mail) : IAsyncLifetime
{
    private const string GpAddress = "riverside.practice@nhs.example";
    private SsdFeedServer _feed = null!;
    private WorkerHarness _worker = null!;

    public async Task InitializeAsync()
    {
        await mail.ClearAsync();
        _feed = await StartAsync(postgres, SsdFeedTests.County() + """
            CREATE TABLE ssd.gp_registrations (person_id text, ods_code text, practice_name text);
            INSERT INTO ssd.gp_registrations SELECT 'EH-' || n, 'Y00001', 'Riverside Medical Practice (fictional)' FROM generate_series(1, 20) n;
            UPDATE ssd.ssd_person SET pers_single_unique_id = '9434765919' WHERE pers_person_id = 'EH-3';
            UPDATE ssd.ssd_person SET pers_single_unique_id = NULL WHERE pers_person_id = 'CIN-1';
            """, settings => settings["SsdFeed:GpPracticeQuery"] = "SELECT person_id, ods_code, practice_name FROM ssd.gp_registrations");
        _worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail, settings =>
        {
            settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:ApiKey"] = ApiKey;
            settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:TracksStepDownAgreements"] = "false";
        });
    }

    [Fact]
    public async Task ACinPlanOpeningInTheDataset_ReachesTheGpsMailbox_ThroughTheFeedAndTheWorker()
    {
        var baseline = await _worker.PollAsync();
        await _feed.ExecuteAsync($"""
            INSERT INTO ssd.ssd_cin_episodes VALUES ('R-30', 'EH-3', {DaysAgo(4)}, NULL, NULL, 'N', 'T-1', 'W-1');
            INSERT INTO ssd.ssd_cin_plans VALUES ('CINP-30', 'R-30', 'EH-3', {DaysAgo(2)}, NULL, 'T-1', 'W-1');
            """);
        var refresh = await _feed.RefreshAsync();
        await _worker.PollAsync();

        await _worker.WaitForLedgerSettledAsync();
        var sent = await _worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'sent'");
        var received = await mail.WaitForMessagesAsync((int)sent);

        (baseline.Records, baseline.Steps, baseline.Quarantined).ShouldBe((23, 0, 0), "the first poll is a baseline: stored, never told");
        refresh.Changed.ShouldBe(1);
        var toGp = received.Where(m => m.To.Any(t => t.Address == GpAddress)).ShouldHaveSingleItem();
        toGp.Text.ShouldNotBeNull().ShouldContain("Alex Fieldworker");
        (await _worker.QueryAsync<string>("SELECT kind FROM stepupdown.steps")).ShouldBe(["StepUp", "LeadProfessionalChanged"], ignoreOrder: true, "the social worker took over from early help");
    }

    [Fact]
    public async Task AFallSeenThroughTheDataset_IsToldAsAStepDown_WithNoHandoverToChase()
    {
        await _feed.ExecuteAsync($"""
            INSERT INTO ssd.ssd_cin_episodes VALUES ('R-30', 'EH-3', {DaysAgo(40)}, NULL, NULL, 'N', 'T-1', 'W-1');
            UPDATE ssd.ssd_early_help_episodes SET earl_episode_end_date = {DaysAgo(41)} WHERE earl_person_id = 'EH-3';
            """);
        await _feed.RefreshAsync();
        await _worker.PollAsync();
        await _feed.ExecuteAsync($"""
            UPDATE ssd.ssd_cin_episodes SET cine_close_date = {DaysAgo(2)}, cine_close_reason = 'RC9' WHERE cine_referral_id = 'R-30';
            INSERT INTO ssd.ssd_early_help_episodes VALUES ('E-30', 'EH-3', {DaysAgo(2)}, NULL, NULL, NULL, 'T-EH', 'W-2');
            """);
        await _feed.RefreshAsync();
        await _worker.PollAsync();

        await _worker.WaitForLedgerSettledAsync();
        var sent = await _worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'sent'");
        var received = await mail.WaitForMessagesAsync((int)sent);

        (await _worker.QueryAsync<(string Kind, string Markers)>("SELECT kind, array_to_string(markers, ',') FROM stepupdown.steps"))
            .ShouldBe([("StepDown", "HandoverNotTracked"), ("LeadProfessionalChanged", "")], ignoreOrder: true);
        (await _worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.handovers")).ShouldBe(0);
        received.Count(m => m.To.Any(t => t.Address == GpAddress)).ShouldBe(1, "the step down (the first poll was the baseline)");
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _feed.DisposeAsync();
    }
}
