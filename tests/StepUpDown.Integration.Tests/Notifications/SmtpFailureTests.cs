using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Simulator;

namespace StepUpDown.Integration.Tests.Notifications;

[Collection(IntegrationCollection.Name)]
public sealed class SmtpFailureTests(PostgresFixture postgres, MailDevFixture mail) : IDisposable
{
    private readonly FeedServer _feed = new();

    /// <summary>Two children step up in one page: four notices (each child's GP and the MASSH).</summary>
    private static async Task StepUpTwoChildrenAsync(WorkerHarness worker, FeedServer feed)
    {
        feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1), Children.Record("SC-2", "EH", 1, nhsNumber: "9434765870"));
        feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2), Children.Record("SC-2", "CP", 2, nhsNumber: "9434765870"));
        await worker.PollAsync();
        await worker.PollAsync();
    }

    /// <summary>A worker whose relay (at <paramref name="port"/>) is down while two children step up: every notice waits, for a retry or for the relay.</summary>
    private async Task<WorkerHarness> StepUpWhileTheRelayIsDownAsync(int port)
    {
        var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail,
            settings => settings["Mail:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await StepUpTwoChildrenAsync(worker, _feed);
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE failure_kind IS NULL") == 0,
            "every notice waits, tried or found waiting for the relay");
        return worker;
    }

    private static Task<Guid> GpNoticeAsync(WorkerHarness worker) =>
        worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp' ORDER BY created_at LIMIT 1");

    private static async Task<(string State, int Attempts, string? LastError, string? FailureKind)> LedgerAsync(WorkerHarness worker, Guid id) =>
        (await worker.QueryAsync<(string, int, string?, string?)>(
            "SELECT state, attempts, last_error, failure_kind FROM stepupdown.notifications WHERE id = @id", new { id })).Single();

    [Fact]
    public async Task SmtpDown_EveryNoticeWaitsInItsRow_AndOnceTheRelayIsBackEachIsDeliveredOnce()
    {
        var port = MailDevFixture.FreePort();
        await using var worker = await StepUpWhileTheRelayIsDownAsync(port);

        var waiting = await worker.QueryAsync<(int Attempts, string State, string? LastError, DateTime? NextAttemptAt)>(
            "SELECT attempts, state, last_error, next_attempt_at FROM stepupdown.notifications ORDER BY attempts DESC");
        await using var sink = new MailDevFixture(port);
        await sink.InitializeAsync();

        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state <> 'sent'") == 0,
            "all sent within a minute of the relay's return", TimeSpan.FromSeconds(60));
        waiting.Count.ShouldBe(4);
        waiting.ShouldAllBe(row => row.State == "pending" && row.NextAttemptAt != null, "each waits for a time of its own, in the ledger row: no job holds it");
        waiting[0].LastError.ShouldBe("Delivery failed: SocketException");
        var received = await sink.GetMessagesAsync();
        received.Count.ShouldBe(4);
        received.Count(m => m.To[0].Address == "riverside.practice@nhs.example").ShouldBe(2);
    }

    [Fact]
    public async Task WhenTheRelayAnswersAgain_NoticesWaitingOutTheirBackoff_GoOutAtOnce()
    {
        var port = MailDevFixture.FreePort();
        await using var worker = await StepUpWhileTheRelayIsDownAsync(port);
        // As after a few failures: the next attempt an hour away.
        await worker.QueryScalarAsync<int>("UPDATE stepupdown.notifications SET attempts = 5, next_attempt_at = now() + interval '1 hour'; SELECT 1");

        await using var sink = new MailDevFixture(port);
        await sink.InitializeAsync();

        // The dispatch's safety net (every 15 s) finds the relay answering: nobody waits an hour.
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state <> 'sent'") == 0,
            "every waiting notice sent within a minute of the relay's return", TimeSpan.FromSeconds(60));
        (await sink.GetMessagesAsync()).Count.ShouldBe(4);
    }

    /// <summary>
    /// No notice ends silently, however many other jobs have failed: 1,500 unrelated failed jobs (a
    /// night of failing polls) once hid a notice whose retries ran out from the give-up, which read
    /// only the newest 1,000. The row itself counts its attempts now.
    /// </summary>
    [Fact]
    public async Task RetriesRunOut_AmongFifteenHundredFailedJobs_TheRowIsFailed_AndTheMasshIsTold()
    {
        var port = MailDevFixture.FreePort();
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail, settings =>
        {
            settings["Mail:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Notifications:MaxAttempts"] = "1";
            settings["Notifications:RetryDelays:0"] = "00:00:01";
        });
        var jobs = worker.Get<IBackgroundJobClient>();
        for (var i = 0; i < 1500; i++)
        {
            jobs.Create<StepUpDown.Integration.Handovers.SweepHandoversJob>(job => job.ExecuteAsync(CancellationToken.None), new FailedState(new InvalidOperationException("a failed poll")));
        }

        _feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        _feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'failed' AND recipient_role = 'gp'") == 1,
            "the GP's notice is failed once its one retry has failed too", TimeSpan.FromSeconds(120));

        var gp = await LedgerAsync(worker, await GpNoticeAsync(worker));
        (gp.Attempts, gp.LastError, gp.FailureKind).ShouldBe((2, "Gave up after 2 attempts. Last: Delivery failed: SocketException", "not-reached"));
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM hangfire.job WHERE statename = 'Failed'")).ShouldBeGreaterThanOrEqualTo(1500);
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'massh-undelivered:gp'")).ShouldBe(1);
        using var http = new HttpClient { BaseAddress = worker.BaseAddress };
        (await http.GetStringAsync("/health/ready")).ShouldContain("notifications failed in the last 24 hours");
    }

    /// <summary>
    /// A relay that answers but refuses every login (its user directory down, as after a restart):
    /// tried as a new user would be, it would lock the council's service account. Here one login at
    /// a time is tried, at most one every 15 seconds, and once logins work the probe brings every
    /// waiting notice forward.
    /// </summary>
    [Fact]
    public async Task ARelayRefusingLogins_IsAskedAtMostOnceEvery15Seconds_AndEveryWaitingNoticeGoesOutWithinAMinuteOfLoginsWorking()
    {
        var refusing = true;
        var refusedAt = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
        await using var relay = LoopbackSmtpRelay.Start(0, (_, _) => Task.CompletedTask, refusesLogin: () =>
        {
            var refuses = Volatile.Read(ref refusing);
            if (refuses)
            {
                refusedAt.Enqueue(DateTimeOffset.UtcNow);
            }

            return refuses;
        });
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail, settings =>
        {
            settings["Mail:Smtp:Port"] = relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Mail:Smtp:UserName"] = "stepupdown-service";
            settings["Mail:Smtp:Password"] = "service account password";
        });
        var children = Enumerable.Range(1, 8).Select(i => (Id: $"SC-{i}", Nhs: Children.NhsNumberFor(i))).ToList();
        _feed.ServePage(null, "c1", [.. children.Select(c => Children.Record(c.Id, "EH", 1, nhsNumber: c.Nhs))]);
        _feed.ServePage("c1", "c2", [.. children.Select(c => Children.Record(c.Id, "CP", 2, nhsNumber: c.Nhs))]);
        await worker.PollAsync();
        await worker.PollAsync();

        await worker.WaitUntilAsync(() => Task.FromResult(refusedAt.Count >= 3), "the relay has refused three logins", TimeSpan.FromSeconds(120));
        var refused = refusedAt.ToArray();
        var attempts = await worker.QueryScalarAsync<long>("SELECT sum(attempts) FROM stepupdown.notifications");
        var notices = await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications");
        var lastErrors = await worker.QueryAsync<string>("SELECT DISTINCT last_error FROM stepupdown.notifications WHERE attempts > 0");
        Volatile.Write(ref refusing, false);
        var loginsWork = DateTimeOffset.UtcNow;
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state <> 'sent'") == 0,
            "every waiting notice sent within a minute of logins working", TimeSpan.FromSeconds(60));
        var allOut = DateTimeOffset.UtcNow - loginsWork;

        notices.ShouldBe(16);
        attempts.ShouldBeLessThan(notices, "one notice tried per dispatch while the relay is not reached, never every waiting one");
        attempts.ShouldBeLessThanOrEqualTo(refused.Length, "an attempt counts only when it asked the relay: a refusal lasting hours must not use up a notice's retries");
        refused.Zip(refused.Skip(1), (earlier, later) => later - earlier).ShouldAllBe(
            gap => gap >= TimeSpan.FromSeconds(14), "while refused, one login at a time and at most one every 15 seconds: never one per waiting notice");
        lastErrors.ShouldAllBe(error => error.StartsWith(DeliveryFailure.NotReachedPrefix + "login refused", StringComparison.Ordinal));
        allOut.ShouldBeLessThan(TimeSpan.FromSeconds(60));
        (await worker.QueryAsync<string>("SELECT DISTINCT state FROM stepupdown.notifications")).ShouldBe(["sent"]);
    }

    /// <summary>A relay that greets with 554 (out of service) is a relay not reached: the notices wait for it, none fails for good.</summary>
    [Fact]
    public async Task ARelayRefusingAtItsGreeting_IsNotReached_AndNoNoticeFailsForGood()
    {
        using var relay = ScriptedSmtpServer.RefusingAtGreeting();
        await using var worker = await StepUpWhileTheRelayIsDownAsync(relay.Port);

        var rows = await worker.QueryAsync<(string State, string? LastError)>("SELECT state, last_error FROM stepupdown.notifications");

        rows.Count.ShouldBe(4);
        // Waiting for a retry or for the relay (or in an attempt, at this moment), never failed for good.
        rows.ShouldAllBe(row => row.State == "pending" || row.State == "sending");
        rows.ShouldContain(row => row.LastError == "Delivery failed: the relay refused the connection (554)");
        rows.ShouldAllBe(row => row.LastError == "Delivery failed: the relay refused the connection (554)" || row.LastError == "Not tried: another notice found the relay not reached");
    }

    [Fact]
    public async Task ANoticeThatWaited_GoesToThePracticeTheChildIsWithWhenItIsSent_NotTheOneItLeft()
    {
        var port = MailDevFixture.FreePort();
        await using var worker = await StepUpWhileTheRelayIsDownAsync(port);
        // While the step ups wait for the relay, SC-1 moves to Hillview Surgery.
        _feed.ServePage("c2", "c3", Children.Record("SC-1", "CP", 3, odsCode: "Y00002"));
        await worker.PollAsync();

        await using var sink = new MailDevFixture(port);
        await sink.InitializeAsync();
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state <> 'sent'") == 0,
            "every notice sent once the relay is back", TimeSpan.FromSeconds(60));

        var received = await sink.GetMessagesAsync();
        received.Count(m => m.To[0].Address == "hillview.surgery@nhs.example").ShouldBe(2, "SC-1's step up and its new practice's notice");
        received.Count(m => m.To[0].Address == "riverside.practice@nhs.example").ShouldBe(2, "SC-2's step up and SC-1's leaving notice: not SC-1's step up");
    }

    [Fact]
    public async Task ANoticeTheRelayDeferredWith451_KeepsItsBackoff_ThoughTheRelayAnswersProbes()
    {
        using var relay = new Chaos.HangingRelay();
        relay.DeferAll(); // greylisting: try later
        await using var worker = await StepUpWhileTheRelayIsDownAsync(relay.Port);
        (await worker.QueryAsync<string>("SELECT DISTINCT failure_kind FROM stepupdown.notifications")).ShouldBe(["deferred"], "a 4xx reply is the relay's answer: every notice was tried");

        // As after a few deferrals: the next attempt an hour away.
        await worker.QueryScalarAsync<int>("UPDATE stepupdown.notifications SET next_attempt_at = now() + interval '1 hour'; SELECT 1");

        var tried = DateTime.UtcNow;
        var attemptsBefore = await worker.QueryScalarAsync<long>("SELECT sum(attempts) FROM stepupdown.notifications");

        // A run of the dispatch's safety net (every 15 s) started after the next one after the
        // deferrals: at least one whole run probed a relay that answers, first since start-up.
        await worker.WaitUntilAsync(
            () => Task.FromResult(SafetyNetLastRun(worker) > tried.AddSeconds(16)), "a whole run of the safety net since the deferrals", TimeSpan.FromSeconds(60));

        (await worker.QueryScalarAsync<long>("SELECT sum(attempts) FROM stepupdown.notifications")).ShouldBe(attemptsBefore, "a 4xx deferral waits for its next attempt: not tried again yet");
        (await worker.QueryScalarAsync<string>("SELECT last_error FROM stepupdown.notifications LIMIT 1")).ShouldStartWith("SMTP server deferred the message: 451");
    }

    private static DateTime? SafetyNetLastRun(WorkerHarness worker)
    {
        using var connection = worker.Get<JobStorage>().GetConnection();
        return connection.GetRecurringJobs([DispatchNotificationsJob.RecurringJobId]).SingleOrDefault()?.LastExecution;
    }

    [Fact]
    public async Task RecipientRefusedWith550_FailsAtOnce_WithoutRetries_AndTheServersWordsGoNowhere()
    {
        using var relay = ScriptedSmtpServer.Rejecting();
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail,
            settings => settings["Mail:Smtp:Port"] = relay.Port.ToString());
        await StepUpTwoChildrenAsync(worker, _feed);
        var id = await GpNoticeAsync(worker);

        await worker.WaitUntilAsync(async () => (await LedgerAsync(worker, id)).State == "failed", "the notification is failed");

        var ledger = await LedgerAsync(worker, id);
        (ledger.State, ledger.Attempts, ledger.LastError, ledger.FailureKind).ShouldBe(("failed", 1, "SMTP server refused the message: 550 MailboxUnavailable", "refused"));
        var everythingHangfireKeeps = string.Join("\n", await worker.QueryAsync<string>(
            "SELECT coalesce(data::text, '') FROM hangfire.state UNION ALL SELECT invocationdata::text || arguments::text FROM hangfire.job"));
        everythingHangfireKeeps.ShouldNotContain("nhs.example");
        everythingHangfireKeeps.ShouldNotContain("Recipient address rejected");
        (await worker.StopAndReadLogAsync()).ShouldNotContain("Recipient address rejected");
    }

    [Fact]
    public async Task DispatchCancelledMidSend_ReleasesItsClaims_ForTheNextDispatch()
    {
        // A relay that takes connections and never greets: every attempt hangs until cancelled.
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail, settings =>
            {
                settings["Mail:Smtp:Port"] = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port.ToString();
                settings["Jobs:RunServer"] = "false"; // only this test's dispatch runs
            });
            await StepUpTwoChildrenAsync(worker, _feed);
            using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(1));

            var stopped = await Should.ThrowAsync<Exception>(() => worker.Get<NotificationDispatcher>().DispatchPendingAsync(shutdown.Token));

            stopped.ShouldBeAssignableTo<OperationCanceledException>();
            var rows = await worker.QueryAsync<(string State, DateTime? ClaimedAt, bool Due)>(
                "SELECT state, claimed_at, COALESCE(next_attempt_at <= now(), true) FROM stepupdown.notifications");
            rows.Count.ShouldBe(4);
            rows.ShouldAllBe(row => row.State == "pending" && row.ClaimedAt == null && row.Due, "free for the next dispatch at once, not in 15 minutes");
        }
        finally
        {
            silent.Stop();
        }
    }

    public void Dispose() => _feed.Dispose();
}
