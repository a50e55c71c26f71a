using System.Diagnostics;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Integration.Tests.Fixtures;
using WireMock.ResponseBuilders;

namespace StepUpDown.Integration.Tests.CaseFeeds;

public sealed class CaseFeedPollerTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private Task<PollResult> PollAsync() => Worker.PollAsync();

    private Task<string?> CursorAsync() =>
        Worker.QueryScalarAsync<string?>("SELECT cursor FROM stepupdown.source_cursors WHERE source = @source", new { source = WorkerHarness.Source });

    private static IResponseBuilder Status(int code) => Response.Create().WithStatusCode(code);

    private static IResponseBuilder Page(string nextCursor, params object[] items) =>
        Response.Create().WithStatusCode(200).WithBodyAsJson(new { items, nextCursor, hasMore = false });

    [Fact]
    public async Task Poll_FeedAnswers503Twice_RetriesAndSucceeds()
    {
        Feed.ServeInTurn(null, Status(503), Status(503), Page("c1", Children.Record("SC-1", "EH", 1)));

        var result = await PollAsync();

        result.Records.ShouldBe(1);
        Feed.RequestCount.ShouldBe(3);
        (await CursorAsync()).ShouldBe("c1");
    }

    [Fact]
    public async Task Poll_FeedAnswers429WithRetryAfter_WaitsThatLongBeforeRetrying()
    {
        Feed.ServeInTurn(null, Status(429).WithHeader("Retry-After", "2"), Page("c1", Children.Record("SC-1", "EH", 1)));
        var clock = Stopwatch.StartNew();

        await PollAsync();

        // The configured backoff is 50 ms: only Retry-After explains a wait of two seconds.
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9));
        (await CursorAsync()).ShouldBe("c1");
    }

    [Fact]
    public async Task Poll_FeedKeepsFailing_ThrowsAndLeavesTheCursorWhereItWas()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        await PollAsync();
        Feed.Serve("c1", Status(500));

        var failure = await Should.ThrowAsync<CaseFeedUnavailableException>(PollAsync);

        failure.Message.ShouldContain("500");
        (await CursorAsync()).ShouldBe("c1");
        Feed.Server.LogEntries.Count(e => e.RequestMessage.Query?.ContainsKey("since") == true).ShouldBe(5, "the first call and 4 retries");
    }

    [Fact]
    public async Task Poll_ReadsPagesUntilHasMoreIsFalse_CommittingTheCursorAfterEach()
    {
        Feed.ServePageWithMore(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-2", "CIN", 1));

        var result = await PollAsync();

        result.Pages.ShouldBe(2);
        (await CursorAsync()).ShouldBe("c2");
        (await Worker.QueryScalarAsync<bool>("SELECT baseline_completed FROM stepupdown.source_cursors")).ShouldBeTrue();
    }

    [Fact]
    public async Task Poll_CrashBetweenBaselinePages_StaysABaselineWhenResumed()
    {
        Feed.ServePageWithMore(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.Serve("c1", Status(500));
        await Should.ThrowAsync<CaseFeedUnavailableException>(PollAsync);
        (await CursorAsync()).ShouldBe("c1");

        Feed.ServePage("c1", "c2", Children.Record("SC-2", "LAC", 1));
        var resumed = await PollAsync();

        resumed.Steps.ShouldBe(0, "the rest of a first adoption is baseline too");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.child_records")).ShouldBe(2);
    }

    [Fact]
    public async Task Poll_PageWithOneBadRecord_QuarantinesItWithItsReason_AndKeepsTheRest()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        await PollAsync();
        var missingName = Children.Record("SC-2", "EH", 1);
        missingName.Remove("name");
        var badDate = Children.Record("SC-3", "EH", 1);
        badDate["dateOfBirth"] = "10/12/2015";
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2), missingName, badDate, Children.Record("SC-4", "XX", 1), "not a record");

        var result = await PollAsync();

        result.Steps.ShouldBe(1);
        result.Quarantined.ShouldBe(4);
        (await CursorAsync()).ShouldBe("c2");
        var reasons = await Worker.QueryAsync<(string? ChildId, string Reason)>(
            "SELECT child_id, reason FROM stepupdown.quarantined_records ORDER BY id");
        reasons.ShouldBe(
        [
            ("SC-2", "name.given and name.family are required"),
            ("SC-3", "malformed JSON at $.dateOfBirth"),
            ("SC-4", "levelOfNeed code 'XX' is not mapped for this source"),
            (null, "malformed JSON at $"),
        ]);
    }

    [Fact]
    public async Task Poll_QuarantinedChildLaterSentGood_ClearsItsQuarantine()
    {
        var bad = Children.Record("SC-1", "EH", 1);
        bad.Remove("version");
        Feed.ServePage(null, "c1", bad);
        await PollAsync();
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "EH", 2));

        await PollAsync();

        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.quarantined_records")).ShouldBe(0);
    }

    [Fact]
    public async Task Poll_CursorExpired_ResyncsFromTheStart_AndNotifiesOnlyRealDifferences()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1), Children.Record("SC-2", "CIN", 3));
        await PollAsync();
        Feed.Server.Reset();
        Feed.Serve("c1", Status(410));
        Feed.ServePage(null, "r1", Children.Record("SC-1", "EH", 1), Children.Record("SC-2", "CP", 4));

        var result = await PollAsync();

        result.Steps.ShouldBe(1);
        (await CursorAsync()).ShouldBe("r1");
        (await Worker.QueryScalarAsync<string>("SELECT to_level FROM stepupdown.steps WHERE child_id = 'SC-2'")).ShouldBe("child-protection");
    }

    [Fact]
    public async Task Poll_TwoPollsOfOneSourceAtOnce_OnlyOneRuns()
    {
        Feed.Serve(null, Page("c1", Children.Record("SC-1", "EH", 1)).WithDelay(TimeSpan.FromSeconds(3)));

        var first = PollAsync();
        await Worker.WaitUntilAsync(
            async () => await Worker.QueryScalarAsync<long>("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()") > 0,
            "the first poll holds its source's lock");
        var second = await PollAsync();

        second.Skipped.ShouldBeTrue();
        (await first).Skipped.ShouldBeFalse();
        Feed.RequestCount.ShouldBe(1);
    }
}
