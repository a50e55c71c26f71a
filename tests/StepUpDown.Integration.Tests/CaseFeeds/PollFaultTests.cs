using Hangfire;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Integration.Tests.Fixtures;
using WireMock.ResponseBuilders;

namespace StepUpDown.Integration.Tests.CaseFeeds;

/// <summary>
/// One bad record or a misbehaving feed never stops a source for good, never loops, and never puts
/// a child's data into the log or Hangfire's tables (design.md "Guarantees").
/// </summary>
public sealed class PollFaultTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string SecretName = "Zebedee";

    protected override void Adjust(Dictionary<string, string?> settings)
    {
        settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:MaxPagesPerRun"] = "3";
        settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:MaxResponseBytes"] = "20000";
        settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:Resilience:TotalTimeout"] = "00:00:03";
        settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:Resilience:AttemptTimeout"] = "00:00:02";
        settings[$"CaseFeeds:Sources:{WorkerHarness.Source}:Resilience:MaxRetryAttempts"] = "1";
    }

    private Task<string?> CursorAsync() =>
        Worker.QueryScalarAsync<string?>("SELECT cursor FROM stepupdown.source_cursors WHERE source = @source", new { source = WorkerHarness.Source });

    private async Task AdoptAsync()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1), Children.Record("SC-2", "EH", 1, nhsNumber: Children.NhsNumberFor(2)),
            Children.Record("SC-3", "EH", 1, nhsNumber: Children.NhsNumberFor(3)));
        await Worker.PollAsync();
    }

    /// <summary>A database rule no validation knows of: a trigger on the stored records with this PL/pgSQL body.</summary>
    private Task<int> RefuseStoringAsync(string body) =>
        Worker.QueryScalarAsync<int>(
            $"""
            CREATE FUNCTION stepupdown.refuse() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
            {body}
            END $f$;
            CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON stepupdown.child_records FOR EACH ROW EXECUTE FUNCTION stepupdown.refuse();
            SELECT 1;
            """);

    private Task<IReadOnlyList<string>> SteppedUpAsync() =>
        Worker.QueryAsync<string>("SELECT child_id FROM stepupdown.steps WHERE kind = 'StepUp' ORDER BY child_id");

    /// <summary>Rows of Hangfire's jobs, their states (the history too) and parameters that quote <see cref="SecretName"/>.</summary>
    private Task<long> HangfireRowsQuotingTheSecretAsync() =>
        Worker.QueryScalarAsync<long>(
            "SELECT count(*) FROM hangfire.job j LEFT JOIN hangfire.state s ON s.jobid = j.id LEFT JOIN hangfire.jobparameter p ON p.jobid = j.id " +
            "WHERE j.invocationdata::text || j.arguments::text || coalesce(s.data::text, '') || coalesce(s.reason, '') || coalesce(p.value, '') LIKE @name",
            new { name = $"%{SecretName}%" });

    [Fact]
    public async Task NulCharacterInAName_IsQuarantinedWithItsPath_TheRestOfThePageGoesOn()
    {
        await AdoptAsync();
        var poisoned = Children.Record("SC-2", "CP", 2, given: "Ze\u0000bedee", nhsNumber: Children.NhsNumberFor(2));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2), poisoned, Children.Record("SC-3", "CP", 2, nhsNumber: Children.NhsNumberFor(3)));

        var result = await Worker.PollAsync();

        result.Quarantined.ShouldBe(1);
        (await SteppedUpAsync()).ShouldBe(["SC-1", "SC-3"]);
        (await Worker.QueryScalarAsync<string>("SELECT reason FROM stepupdown.quarantined_records WHERE child_id = 'SC-2'"))
            .ShouldBe("a NUL character (\\u0000) at $.name.given cannot be stored");
        (await CursorAsync()).ShouldBe("c2");
    }

    [Fact]
    public async Task ARecordTheDatabaseRefuses_IsSetAsideWithItsSqlState_TheRestIsStored_AndNoNameReachesTheLogOrHangfire()
    {
        await AdoptAsync();
        // A database rule no validation knows of, whose error quotes the child's name in its message and detail.
        await RefuseStoringAsync(
            $"""
              IF NEW.record -> 'name' ->> 'given' = '{SecretName}' THEN
                RAISE EXCEPTION 'cannot store "%"', NEW.record -> 'name' ->> 'given' USING ERRCODE = '22023', DETAIL = 'child ' || (NEW.record ->> 'name');
              END IF;
              RETURN NEW;
            """);
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2),
            Children.Record("SC-2", "CP", 2, given: SecretName, nhsNumber: Children.NhsNumberFor(2)),
            Children.Record("SC-3", "CP", 2, nhsNumber: Children.NhsNumberFor(3)));

        Worker.Get<IRecurringJobManager>().Trigger(PollCaseFeedJob.RecurringJobId(WorkerHarness.Source));
        await Worker.WaitUntilAsync(async () => await CursorAsync() == "c2", "the poll job has committed the page");

        (await SteppedUpAsync()).ShouldBe(["SC-1", "SC-3"]);
        (await Worker.QueryScalarAsync<string>("SELECT reason FROM stepupdown.quarantined_records WHERE child_id = 'SC-2'"))
            .ShouldBe("could not be stored: database error 22023");
        await Worker.WaitForLedgerSettledAsync();
        (await HangfireRowsQuotingTheSecretAsync()).ShouldBe(0);
        (await Worker.StopAndReadLogAsync()).ShouldNotContain(SecretName);
    }

    [Fact]
    public async Task TwoRecordsTheDatabaseRefusesInOnePage_AreFoundByHalving_EveryOtherRecordIsStoredInPageOrder()
    {
        await RefuseStoringAsync(
            $"""
              IF NEW.record -> 'name' ->> 'given' = '{SecretName}' THEN
                RAISE EXCEPTION 'refused' USING ERRCODE = '23514';
              END IF;
              RETURN NEW;
            """);
        // Nine children adopted at early help; two of them refused. SC-4 appears twice: its later version must win.
        Feed.ServePage(null, "c1", [.. Enumerable.Range(1, 9).Select(i => (object)Children.Record(
            $"SC-{i}", "EH", 1, given: i is 2 or 7 ? SecretName : "Ada", nhsNumber: Children.NhsNumberFor(i))),
            Children.Record("SC-4", "CIN", 2, nhsNumber: Children.NhsNumberFor(4))]);

        var result = await Worker.PollAsync();

        result.Quarantined.ShouldBe(2);
        (await Worker.QueryAsync<string>("SELECT child_id FROM stepupdown.quarantined_records ORDER BY child_id")).ShouldBe(["SC-2", "SC-7"]);
        (await Worker.QueryAsync<string>("SELECT child_id || ':' || level_code FROM stepupdown.child_records ORDER BY child_id"))
            .ShouldBe(["SC-1:early-help", "SC-3:early-help", "SC-4:child-in-need", "SC-5:early-help", "SC-6:early-help", "SC-8:early-help", "SC-9:early-help"]);
        (await CursorAsync()).ShouldBe("c1");
    }

    [Fact]
    public async Task DatabaseErrorThatIsNotAboutARecord_FailsTheJob_WithItsSqlStateOnly()
    {
        await AdoptAsync();
        await RefuseStoringAsync(
            """
              RAISE EXCEPTION 'server says no to "%"', NEW.record -> 'name' ->> 'given' USING ERRCODE = '57014', DETAIL = NEW.record::text;
            """);
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2, given: SecretName));

        Worker.Get<IRecurringJobManager>().Trigger(PollCaseFeedJob.RecurringJobId(WorkerHarness.Source));
        await Worker.WaitUntilAsync(
            async () => await Worker.QueryScalarAsync<long>("SELECT count(*) FROM hangfire.job WHERE statename = 'Failed'") == 1,
            "the poll job has failed");

        var failure = await Worker.QueryScalarAsync<string>("SELECT s.data::text FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid WHERE s.name = 'Failed'");
        failure.ShouldContain("57014");
        failure.ShouldNotContain(SecretName);
        (await HangfireRowsQuotingTheSecretAsync()).ShouldBe(0, "nor does the job's history");
        (await CursorAsync()).ShouldBe("c1", "nothing of the page was stored, so the cursor stays");
        (await Worker.StopAndReadLogAsync()).ShouldNotContain(SecretName);
    }

    [Fact]
    public async Task HasMoreWithACursorThatDoesNotMove_FailsTheRun_InsteadOfLoopingForEver()
    {
        Feed.ServePageWithMore(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePageWithMore("c1", "c1", Children.Record("SC-1", "EH", 1));

        var failure = await Should.ThrowAsync<CaseFeedRunStoppedException>(() => Worker.PollAsync());

        failure.Message.ShouldContain("cursor did not move");
        Feed.RequestCount.ShouldBe(2);
        (await CursorAsync()).ShouldBe("c1");
    }

    [Fact]
    public async Task MorePagesThanARunMayRead_FailsTheRunVisibly_KeepingWhatWasRead()
    {
        for (var i = 0; i < 5; i++)
        {
            Feed.ServePageWithMore(i == 0 ? null : $"c{i}", $"c{i + 1}", Children.Record($"SC-{i}", "EH", 1, nhsNumber: Children.NhsNumberFor(i)));
        }

        var failure = await Should.ThrowAsync<CaseFeedRunStoppedException>(() => Worker.PollAsync());

        failure.Message.ShouldContain("MaxPagesPerRun");
        (await CursorAsync()).ShouldBe("c3");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.child_records")).ShouldBe(3);
    }

    [Fact]
    public async Task ABodyThatTricklesIn_IsCutOffByTheTotalTimeout()
    {
        using var trickle = new TricklingFeed();
        await using var worker = await WorkerHarness.StartAsync(await Postgres.CreateDatabaseAsync(), trickle.Url, Mail, Adjust);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var failure = await Should.ThrowAsync<CaseFeedUnavailableException>(() => worker.PollAsync());

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15), "the body would take a minute to arrive");
        failure.Message.ShouldContain("TotalTimeout");
        trickle.HeadersSent.ShouldBeTrue("the headers came at once: only the body was slow");
    }

    /// <summary>A feed that answers headers at once, then one byte of its body a second.</summary>
    private sealed class TricklingFeed : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public TricklingFeed()
        {
            _listener.Start();
            _ = ServeAsync();
        }

        public string Url => $"http://127.0.0.1:{((System.Net.IPEndPoint)_listener.LocalEndpoint).Port}/";

        public bool HeadersSent { get; private set; }

        private async Task ServeAsync()
        {
            try
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                _ = await stream.ReadAsync(new byte[4096], _stop.Token); // the request: any of it will do
                var body = "{\"items\": [], \"nextCursor\": \"c1\", \"hasMore\": false}"u8.ToArray();
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"), _stop.Token);
                HeadersSent = true;
                foreach (var b in body)
                {
                    await stream.WriteAsync(new[] { b }, _stop.Token);
                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
            {
                // The worker hung up, or the test is over.
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task APageLargerThanMaxResponseBytes_IsRefused_AndTheCursorStays()
    {
        var many = Enumerable.Range(0, 40).Select(i => (object)Children.Record($"SC-{i}", "EH", 1, nhsNumber: Children.NhsNumberFor(i))).ToArray();
        Feed.ServePage(null, "c1", many);

        var failure = await Should.ThrowAsync<CaseFeedUnavailableException>(() => Worker.PollAsync());

        failure.Message.ShouldContain("MaxResponseBytes");
        (await CursorAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task APageLargerThanMaxResponseBytes_IsAskedForAgainAtHalfItsSize_UntilItFits_AndEveryRecordIsRead()
    {
        var all = Enumerable.Range(0, 60).Select(i => (object)Children.Record($"SC-{i}", "EH", 1, nhsNumber: Children.NhsNumberFor(i))).ToArray();
        // A feed that honours limit: asked for 25 it serves 25 (about 16 kB); asked for more it serves the rest, larger than 20,000 bytes.
        void Serve(string? since, string next, int skip, bool hasMore)
        {
            var request = WireMock.RequestBuilders.Request.Create().WithPath("/api/v1/children/changes").UsingGet().WithParam("limit", "25");
            Feed.Server.Given(since is null ? request : request.WithParam("since", since)).AtPriority(since is null ? 50 : 0)
                .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { items = all.Skip(skip).Take(25).ToArray(), nextCursor = next, hasMore }));
            Feed.Serve(since, Response.Create().WithStatusCode(200).WithBodyAsJson(new { items = all.Skip(skip).ToArray(), nextCursor = "too-far", hasMore = false }));
        }

        Serve(null, "p25", 0, hasMore: true);
        Serve("p25", "p50", 25, hasMore: true);
        Feed.ServePage("p50", "p60", all.Skip(50).ToArray());

        var result = await Worker.PollAsync();

        result.Records.ShouldBe(60);
        (await CursorAsync()).ShouldBe("p60");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.child_records")).ShouldBe(60);
        Feed.Server.LogEntries.OrderBy(e => e.RequestMessage.DateTime).Select(e => e.RequestMessage.Query!["limit"].Single()).Take(5).ShouldBe(["200", "100", "50", "25", "200"], "halved down to a size that fits, then each page asked for whole again");
    }

    [Fact]
    public async Task ItemsNull_IsAnEmptyPage_NotACrash()
    {
        Feed.Serve(null, Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
            .WithBody("{\"items\": null, \"nextCursor\": \"c1\", \"hasMore\": false}"));

        var result = await Worker.PollAsync();

        result.Records.ShouldBe(0);
        (await CursorAsync()).ShouldBe("c1");
    }
}
