using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.CaseFeeds;

/// <summary>
/// A source with <c>PollInterval</c> is polled by the instance on its own timer: nobody triggers a
/// poll and the scheduled one (yearly here) never runs, yet a step up is recorded within seconds.
/// </summary>
public sealed class IntervalPollTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    protected override void Adjust(Dictionary<string, string?> settings)
    {
        settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:PollInterval"] = "00:00:01";
    }

    [Fact]
    public async Task ASourceWithAPollInterval_IsPolledOnItsTimer_AndAStepUpIsRecordedWithoutAnyTrigger()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        Feed.ServePage("c2", "c2");

        await Worker.WaitUntilAsync(
            async () => await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.steps WHERE child_id = 'SC-1' AND kind = 'StepUp'") == 1,
            "the interval's polls adopted the child and recorded its step up");
        await Worker.WaitUntilAsync(
            () => Task.FromResult(Feed.Server.LogEntries.Count(e => e.RequestMessage.Query is { } query && query.TryGetValue("since", out var since) && since.Single() == "c2") >= 2),
            "the interval went on polling the source at its new cursor");

        var times = Feed.Server.LogEntries.Select(e => e.RequestMessage.DateTime).Order().ToArray();
        var gaps = times.Zip(times.Skip(1), (earlier, later) => later - earlier).ToArray();
        gaps.Min().ShouldBeGreaterThan(TimeSpan.FromMilliseconds(500), "one poll a tick, not a tight loop");
    }
}
