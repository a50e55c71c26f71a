using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Retention;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Worker;
using WireMock.ResponseBuilders;

namespace StepUpDown.Integration.Tests.Retention;

/// <summary>
/// UK GDPR storage limitation on the real worker and PostgreSQL: the daily purge removes what is
/// past its period and never what an open handover or an undelivered notice needs; erase-child
/// removes one child everywhere and keeps only that an erasure happened.
/// </summary>
public sealed class RetentionTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string ErasedName = "Zebedee";

    /// <summary>
    /// SC-1 closed; SC-2 open at child protection (its notices delivered); SC-3 with a step down
    /// agreed (an open handover); SC-4's GP notice left pending; one record quarantined; one failed job.
    /// </summary>
    private async Task<string> SeedAsync()
    {
        var agreed = Children.Record("SC-3", "CIN", 2, nhsNumber: Children.NhsNumberFor(3));
        agreed["stepDown"] = new Dictionary<string, object?> { ["agreedOn"] = "2026-11-02", ["forum"] = "tac-meeting", ["targetLevel"] = "EH", ["familyConsent"] = true };
        Feed.ServePage(null, "c1",
            Children.Record("SC-1", "EH", 1), Children.Record("SC-2", "EH", 1, nhsNumber: Children.NhsNumberFor(2)),
            Children.Record("SC-3", "CP", 1, nhsNumber: Children.NhsNumberFor(3)), Children.Record("SC-4", "EH", 1, nhsNumber: Children.NhsNumberFor(4)));
        Feed.ServePage("c1", "c2",
            Children.Record("SC-1", "CIN", 2, status: "closed"), Children.Record("SC-2", "CP", 2, nhsNumber: Children.NhsNumberFor(2)), agreed,
            Children.Record("SC-4", "CP", 2, nhsNumber: Children.NhsNumberFor(4)),
            new Dictionary<string, object?> { ["childId"] = "SC-9", ["levelOfNeed"] = 42 });
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();

        // SC-4's GP notice as if its relay had not answered yet: pending, its next attempt an hour away.
        await Worker.QueryScalarAsync<int>(
            """
            UPDATE stepupdown.notifications n SET state = 'pending', next_attempt_at = now() + interval '1 hour', failure_kind = 'not-reached'
              FROM stepupdown.steps s WHERE s.id = n.step_id AND s.child_id = 'SC-4' AND n.recipient_role = 'gp';
            SELECT 1
            """);
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.handovers WHERE state = 'open'")).ShouldBe(1, "SC-3's step down");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.quarantined_records")).ShouldBe(1, "SC-9");
        return Worker.Get<IBackgroundJobClient>().Create<SweepHandoversJob>(job => job.ExecuteAsync(CancellationToken.None), new Hangfire.States.FailedState(new InvalidOperationException("test")));
    }

    private RetentionPurge PurgeAt(DateTimeOffset now, WorkerHarness? worker = null) =>
        ActivatorUtilities.CreateInstance<RetentionPurge>((worker ?? Worker).App.Services, new FakeTimeProvider(now));

    private Task<IReadOnlyList<string>> ChildrenIn(string table) =>
        Worker.QueryAsync<string>($"SELECT DISTINCT child_id FROM stepupdown.{table} ORDER BY child_id");

    [Fact]
    public async Task Purge_RemovesWhatIsPastItsPeriod_AndKeepsWhatAnOpenHandoverOrAnUndeliveredNoticeNeeds()
    {
        var failedJob = await SeedAsync();
        var client = Worker.Get<IBackgroundJobClient>();
        var retried = client.Create<SweepHandoversJob>(job => job.ExecuteAsync(CancellationToken.None), new Hangfire.States.FailedState(new InvalidOperationException("test")));
        client.Requeue(retried, Hangfire.States.FailedState.StateName).ShouldBeTrue();

        var today = await PurgeAt(DateTimeOffset.UtcNow).PurgeAsync(CancellationToken.None);
        var in800Days = await PurgeAt(DateTimeOffset.UtcNow.AddDays(800)).PurgeAsync(CancellationToken.None);

        today.ShouldBe(new PurgeResult(0, 0, 0, 0, 0, 0), "nothing is past its period yet");
        in800Days.ClosedChildren.ShouldBe(1, "SC-1: closed, and no open handover");
        (await ChildrenIn("child_records")).ShouldBe(["SC-2", "SC-3", "SC-4"], "open children stay, and SC-3's open handover keeps its record");
        (await ChildrenIn("steps")).ShouldBe(["SC-3", "SC-4"], "SC-3: its handover is open; SC-4: its GP notice is not delivered");
        (await Worker.QueryAsync<string>("SELECT state FROM stepupdown.notifications n JOIN stepupdown.steps s ON s.id = n.step_id WHERE s.child_id = 'SC-4'"))
            .ShouldContain("pending");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.quarantined_records")).ShouldBe(0);
        using var jobs = Worker.Get<JobStorage>().GetConnection();
        jobs.GetJobData(failedJob)!.State.ShouldBe("Deleted");
        jobs.GetJobData(retried)!.State.ShouldNotBe("Deleted", "a job retried from Failed is not a failed job any more");
        jobs.GetAllItemsFromSet(FailedJobDates.SetKey).ShouldBeEmpty("each failure read leaves the set");
    }

    [Fact]
    public async Task EraseChild_RemovesOneChildEverywhere_TheOthersStay_AndTheRecordOfItNamesNobody()
    {
        Feed.ServePage(null, "c1",
            Children.Record("SC-1", "EH", 1, given: ErasedName), Children.Record("SC-2", "EH", 1, nhsNumber: Children.NhsNumberFor(2)));
        Feed.ServePage("c1", "c2",
            Children.Record("SC-1", "CP", 2, given: ErasedName), Children.Record("SC-2", "CP", 2, nhsNumber: Children.NhsNumberFor(2)),
            new Dictionary<string, object?> { ["childId"] = "SC-1", ["name"] = new { given = ErasedName }, ["levelOfNeed"] = 42 });
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();

        var exit = await Commands.TryRunAsync(["erase-child", "--source", WorkerHarness.Source, "--id", "SC-1", $"--ConnectionStrings:StepUpDown={Worker.ConnectionString}"]);

        exit.ShouldBe(0);
        var mentions = await Worker.QueryScalarAsync<long>(
            """
            SELECT (SELECT count(*) FROM stepupdown.child_records c WHERE c::text LIKE @name OR c.child_id = 'SC-1')
                 + (SELECT count(*) FROM stepupdown.steps s WHERE s::text LIKE @name OR s.child_id = 'SC-1')
                 + (SELECT count(*) FROM stepupdown.quarantined_records q WHERE q::text LIKE @name OR q.child_id = 'SC-1')
                 + (SELECT count(*) FROM stepupdown.handovers h WHERE h.child_id = 'SC-1')
                 + (SELECT count(*) FROM stepupdown.child_external_ids x WHERE x.child_id = 'SC-1')
                 + (SELECT count(*) FROM stepupdown.erasures e WHERE e::text LIKE '%SC-1%')
            """,
            new { name = $"%{ErasedName}%" });
        mentions.ShouldBe(0);
        (await ChildrenIn("steps")).ShouldBe(["SC-2"]);
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications")).ShouldBeGreaterThan(0, "SC-2's notices stay");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.erasures")).ShouldBe(1);
    }

    [Fact]
    public async Task Purge_KeepsThatAGpIsStillOwedTheCurrentPlan_SoANumberCorrectedYearsLaterStillReachesTheGp()
    {
        const string Invalid = "9434765918";
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1, nhsNumber: Invalid), Children.Record("SC-2", "EH", 1, nhsNumber: Children.NhsNumberFor(2)));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2, nhsNumber: Invalid), Children.Record("SC-2", "CP", 2, nhsNumber: Children.NhsNumberFor(2)));
        Feed.ServePage("c2", "c3", Children.Record("SC-1", "CP", 3));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();

        var purged = await PurgeAt(DateTimeOffset.UtcNow.AddDays(800)).PurgeAsync(CancellationToken.None);
        await Mail.ClearAsync();
        await Worker.PollAsync(); // SC-1's number, corrected
        await Worker.WaitForLedgerSettledAsync();

        purged.LedgerRows.ShouldBeGreaterThan(0, "the rest of the ledger was past its period");
        (await ChildrenIn("steps")).ShouldBe(["SC-1"], "SC-2's step went; SC-1's stays with the row that says its GP is owed the plan");
        var toGp = (await Mail.GetMessagesAsync()).Where(m => m.To.Single().Address == "riverside.practice@nhs.example").ToList();
        toGp.ShouldHaveSingleItem("the GP is told once the number passes, however long it took").Subject.ShouldStartWith("Current plan (Child protection), NHS number now confirmed");
    }

    [Fact]
    public async Task EraseChild_ThenAResync_AnnouncesNothing_AndALaterVersionIsAdoptedQuietly()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1, given: ErasedName), Children.Record("SC-2", "EH", 1, nhsNumber: Children.NhsNumberFor(2)));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2, given: ErasedName));
        await Worker.PollAsync();
        await Worker.PollAsync();
        (await Commands.TryRunAsync(["erase-child", "--source", WorkerHarness.Source, "--id", "SC-1", $"--ConnectionStrings:StepUpDown={Worker.ConnectionString}"])).ShouldBe(0);
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.tombstones t WHERE t::text LIKE '%SC-1%' OR t::text LIKE @name", new { name = $"%{ErasedName}%" }))
            .ShouldBe(0, "the tombstone holds a keyed hash, not the id");
        Feed.Server.Reset();
        Feed.Serve("c2", Response.Create().WithStatusCode(410));
        Feed.ServePage(null, "r1", Children.Record("SC-1", "CP", 2, given: ErasedName), Children.Record("SC-2", "EH", 1, nhsNumber: Children.NhsNumberFor(2)));
        Feed.ServePage("r1", "r2", Children.Record("SC-1", "CP", 3, given: ErasedName));

        var resync = await Worker.PollAsync();
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.child_records WHERE child_id = 'SC-1'")).ShouldBe(0, "what was erased stays erased");
        var later = await Worker.PollAsync();

        resync.Steps.ShouldBe(0);
        later.Steps.ShouldBe(0, "a later version is a baseline, not a child first seen");
        (await Worker.QueryScalarAsync<long?>("SELECT version FROM stepupdown.child_records WHERE child_id = 'SC-1'")).ShouldBe(3);
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications")).ShouldBe(0);
    }

    /// <summary>SC-1 adopted at early help, closed (cursor c2), then purged as past its period.</summary>
    private async Task PurgeAClosedChildAsync()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "EH", 2, status: "closed"));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();
        (await PurgeAt(DateTimeOffset.UtcNow.AddDays(800)).PurgeAsync(CancellationToken.None)).ClosedChildren.ShouldBe(1);
    }

    [Fact]
    public async Task Purge_LeavesATombstone_SoAResyncOfThePurgedChildAnnouncesNothing()
    {
        await PurgeAClosedChildAsync();
        var before = await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications");
        Feed.Server.Reset();
        Feed.Serve("c2", Response.Create().WithStatusCode(410));
        Feed.ServePage(null, "r1", Children.Record("SC-1", "EH", 2, status: "closed"));

        var resync = await Worker.PollAsync();

        resync.Steps.ShouldBe(0);
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.child_records")).ShouldBe(0);
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications")).ShouldBe(before);
    }

    [Fact]
    public async Task APurgedChild_WhoseCaseReopensAtChildProtection_IsAStepUp_AndTheGpIsTold()
    {
        await PurgeAClosedChildAsync();
        (await Worker.QueryScalarAsync<string?>("SELECT level_code FROM stepupdown.tombstones")).ShouldBe("universal", "a level code, no personal data");
        Feed.ServePage("c2", "c3", Children.Record("SC-1", "CP", 3));

        var reopened = await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();

        reopened.Steps.ShouldBe(1);
        (await Worker.QueryAsync<(string Kind, string From, string To)>("SELECT kind, from_level, to_level FROM stepupdown.steps WHERE to_version = 3"))
            .ShouldBe([("StepUp", "universal", "child-protection")], "a case reopened after a purge is news");
        (await Worker.QueryAsync<string>("SELECT recipient_role FROM stepupdown.notifications n JOIN stepupdown.steps s ON s.id = n.step_id WHERE s.to_version = 3 ORDER BY 1"))
            .ShouldBe(["gp", "massh"]);
    }

    [Fact]
    public async Task EraseChild_AndThePurge_TakeTheChildsOutboxFilesToo()
    {
        var outbox = Path.Combine(Path.GetTempPath(), $"sud-outbox-{Guid.NewGuid():N}");
        using var feed = new FeedServer();
        await using var worker = await WorkerHarness.StartAsync(await Postgres.CreateDatabaseAsync(), feed.Url, Mail, settings =>
        {
            settings["Mail:Smtp:Host"] = "";
            settings["Mail:UseOutbox"] = "true";
            settings["Mail:OutboxDirectory"] = outbox;
        });
        feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1), Children.Record("SC-2", "EH", 1, nhsNumber: Children.NhsNumberFor(2)));
        feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2), Children.Record("SC-2", "CP", 2, nhsNumber: Children.NhsNumberFor(2)));
        await worker.PollAsync();
        await worker.PollAsync();
        await worker.WaitForLedgerSettledAsync();
        int Files() => Directory.EnumerateFiles(outbox, "*.eml").Count();
        Files().ShouldBe(4, "each child's GP and MASSH notices");

        await PurgeAt(DateTimeOffset.UtcNow, worker).EraseChildAsync(WorkerHarness.Source, "SC-1", CancellationToken.None);
        var afterErasure = Files();
        await PurgeAt(DateTimeOffset.UtcNow.AddDays(800), worker).PurgeAsync(CancellationToken.None);

        afterErasure.ShouldBe(2, "SC-2's stay");
        Files().ShouldBe(0, "past LedgerDays");
        Directory.Delete(outbox, recursive: true);
    }
}
