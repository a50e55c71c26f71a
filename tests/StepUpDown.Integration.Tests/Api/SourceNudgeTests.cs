using System.Net;
using System.Net.Http.Headers;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Integration.Tests.Fixtures;
using WireMock.ResponseBuilders;

namespace StepUpDown.Integration.Tests.Api;

/// <summary>
/// A case system nudges the running worker over HTTP (<c>POST /api/v1/sources/{source}/nudge</c>)
/// and the worker polls it now; the scheduled poll (yearly here) never runs.
/// </summary>
public sealed class SourceNudgeTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string EarlyHelpKey = "early-help-key-0123456789";
    private const string PersonalBody = """{"childId":"SC-1","name":"Ada Lovelace","nhsNumber":"9434765919"}""";

    protected override void Adjust(Dictionary<string, string?> settings)
    {
        WorkerHarness.AddSource(settings, "early-help", Feed.Url);
        settings["CaseFeeds:Sources:early-help:ApiKey"] = EarlyHelpKey;
        settings["CaseFeeds:Sources:early-help:NudgesPerSecond"] = "5";
    }

    private async Task<HttpResponseMessage> NudgeAsync(string source, string? apiKey = FeedServer.ApiKey, string? bearer = null, string? body = null)
    {
        using var http = new HttpClient { BaseAddress = Worker.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sources/{source}/nudge");
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        request.Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        return await http.SendAsync(request);
    }

    /// <summary>Adopts one child at early help (cursor c1), so the next read of the feed asks for what came after c1.</summary>
    private async Task AdoptAsync()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        await Worker.PollAsync();
        Feed.Server.ResetLogEntries();
    }

    private Task WaitUntilIdleAsync(string source = WorkerHarness.Source) =>
        Worker.WaitUntilAsync(() => Task.FromResult(!Worker.Get<SourcePolls>().IsPolling(source)), "the nudged polls have ended");

    private DateTime[] FeedRequestTimes() => Feed.Server.LogEntries.Select(e => e.RequestMessage.DateTime).Order().ToArray();

    [Fact]
    public async Task ANudgeWithTheSourcesKey_PollsItNow_AndTheStepUpIsRecorded()
    {
        await AdoptAsync();
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        Feed.ServePage("c2", "c2");

        var byKey = await NudgeAsync(WorkerHarness.Source);
        await Worker.WaitUntilAsync(
            async () => await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.steps WHERE child_id = 'SC-1' AND kind = 'StepUp'") == 1,
            "the nudged poll recorded the step up");
        await WaitUntilIdleAsync();
        var byBearer = await NudgeAsync("SOCIAL-CARE", apiKey: null, bearer: FeedServer.ApiKey, body: "{}");
        await Worker.WaitUntilAsync(async () => await Worker.QueryScalarAsync<string>("SELECT cursor FROM stepupdown.source_cursors") == "c2", "the cursor moved");
        await Worker.WaitUntilAsync(() => Task.FromResult(Feed.RequestCount == 2), "the second nudge polled the feed again");

        byKey.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        byBearer.StatusCode.ShouldBe(HttpStatusCode.Accepted, "the same credential as a bearer token, the source named in any case, a body ignored");
        Feed.Server.LogEntries.Select(e => e.RequestMessage.Query!["since"].Single()).ShouldBe(["c1", "c2"]);
    }

    [Fact]
    public async Task ANudgeWithoutThatSourcesOwnKey_IsRefused_PollsNothing_AndItsBodyIsNeverLogged()
    {
        await AdoptAsync();
        Feed.ServePage("c1", "c1");

        var statuses = new[]
        {
            (await NudgeAsync(WorkerHarness.Source, apiKey: null, body: PersonalBody)).StatusCode,
            (await NudgeAsync(WorkerHarness.Source, apiKey: "test-api-kez", body: PersonalBody)).StatusCode,
            (await NudgeAsync(WorkerHarness.Source, apiKey: null, bearer: "wrong-token", body: PersonalBody)).StatusCode,
            (await NudgeAsync(WorkerHarness.Source, apiKey: EarlyHelpKey, body: PersonalBody)).StatusCode,
            (await NudgeAsync("no-such-source", apiKey: null, body: PersonalBody)).StatusCode,
            (await NudgeAsync("no-such-source", body: PersonalBody)).StatusCode,
        };
        Feed.RequestCount.ShouldBe(0, "no refused nudge starts a poll");
        (await NudgeAsync(WorkerHarness.Source)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await Worker.WaitUntilAsync(() => Task.FromResult(Feed.RequestCount > 0), "the accepted nudge polled the feed");
        await WaitUntilIdleAsync();
        var log = await Worker.StopAndReadLogAsync();

        statuses.ShouldBe(
        [
            HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
            HttpStatusCode.Unauthorized, // early help's key does not nudge social care
            HttpStatusCode.Unauthorized, // no key: whether the source exists is not said
            HttpStatusCode.NotFound,
        ]);
        Feed.RequestCount.ShouldBe(1, "only the accepted nudge polled");
        log.ShouldContain("was refused");
        log.ShouldNotContain("Ada Lovelace");
        log.ShouldNotContain("9434765919");
    }

    [Fact]
    public async Task TwentyNudgesDuringAPoll_AreOnePollInFlightAndOneQueued_ThatStartsAfterTheLastNudge()
    {
        await AdoptAsync();
        Feed.Serve("c1", Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(2))
            .WithBodyAsJson(new { items = Array.Empty<object>(), nextCursor = "c1", hasMore = false }));

        var statuses = new List<HttpStatusCode>();
        var lastSentAt = DateTime.MinValue;
        for (var i = 0; i < 20; i++)
        {
            lastSentAt = DateTime.UtcNow;
            statuses.Add((await NudgeAsync(WorkerHarness.Source)).StatusCode);
        }

        await Worker.WaitUntilAsync(() => Task.FromResult(Feed.RequestCount > 0), "a nudged poll read the feed");
        await WaitUntilIdleAsync();

        statuses.ShouldAllBe(status => status == HttpStatusCode.Accepted);
        var polls = FeedRequestTimes();
        polls.Length.ShouldBeInRange(1, 2, "twenty nudges during one poll: that poll and one more at most");
        polls[^1].ShouldBeGreaterThanOrEqualTo(lastSentAt.AddMilliseconds(-50), "a nudge is always followed by a poll that starts after it");
    }

    [Fact]
    public async Task TwoInstancesNudgedAtOnce_PollOneAtATime_AndTheSecondWaitsRatherThanSkips()
    {
        await AdoptAsync();
        var delay = TimeSpan.FromSeconds(1);
        Feed.Serve("c1", Response.Create().WithStatusCode(200).WithDelay(delay)
            .WithBodyAsJson(new { items = Array.Empty<object>(), nextCursor = "c1", hasMore = false }));
        await using var peer = await WorkerHarness.StartAsync(Worker.ConnectionString, Feed.Url, Mail, Adjust);
        using var toWorker = new HttpClient { BaseAddress = Worker.BaseAddress };
        using var toPeer = new HttpClient { BaseAddress = peer.BaseAddress };
        toWorker.DefaultRequestHeaders.Add("X-Api-Key", FeedServer.ApiKey);
        toPeer.DefaultRequestHeaders.Add("X-Api-Key", FeedServer.ApiKey);

        var answers = await Task.WhenAll(toWorker.PostAsync("/api/v1/sources/social-care/nudge", null), toPeer.PostAsync("/api/v1/sources/social-care/nudge", null));
        await Worker.WaitUntilAsync(() => Task.FromResult(Feed.RequestCount == 2), "each instance's nudged poll read the feed");
        await WaitUntilIdleAsync();
        await peer.WaitUntilAsync(() => Task.FromResult(!peer.Get<SourcePolls>().IsPolling(WorkerHarness.Source)), "the peer's nudged poll has ended");

        answers.ShouldAllBe(a => a.StatusCode == HttpStatusCode.Accepted);
        var polls = FeedRequestTimes();
        polls.Length.ShouldBe(2);
        (polls[1] - polls[0]).ShouldBeGreaterThanOrEqualTo(delay - TimeSpan.FromMilliseconds(100), "the second poll started only once the first had its answer");
    }

    [Fact]
    public async Task NudgesAboveTheSourcesRate_AreAnswered429WithRetryAfter()
    {
        Feed.ServePage(null, "c1");
        using var http = new HttpClient { BaseAddress = Worker.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", EarlyHelpKey);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => http.PostAsync("/api/v1/sources/early-help/nudge", null)));
        var seconds = (int)Math.Ceiling(clock.Elapsed.TotalSeconds);
        await WaitUntilIdleAsync("early-help");

        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        answers.Count(a => a.StatusCode == HttpStatusCode.Accepted).ShouldBeInRange(1, 5 * (seconds + 1), "early help's limit is 5 a second");
        refused.ShouldNotBeEmpty();
        refused.ShouldAllBe(a => a.Headers.RetryAfter != null);
    }

    [Fact]
    public async Task APollThatFindsNothing_WritesNothing()
    {
        await AdoptAsync();
        Feed.ServePage("c1", "c1");
        var before = await Worker.QueryScalarAsync<DateTime>("SELECT updated_at FROM stepupdown.source_cursors");

        var result = await Worker.PollAsync();

        (result.Pages, result.Records).ShouldBe((1, 0));
        Feed.RequestCount.ShouldBe(1);
        (await Worker.QueryScalarAsync<DateTime>("SELECT updated_at FROM stepupdown.source_cursors")).ShouldBe(before, "no write transaction for an idle poll");
    }
}
