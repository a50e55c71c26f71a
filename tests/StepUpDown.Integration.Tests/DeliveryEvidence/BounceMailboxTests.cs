using System.Globalization;
using StepUpDown.Integration.DeliveryEvidence;
using StepUpDown.Integration.Monitoring;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Integration.Tests.Handovers;
using StepUpDown.Integration.Tests.Worker;

namespace StepUpDown.Integration.Tests.DeliveryEvidence;

/// <summary>
/// The bounce mailbox read by the running worker from a real IMAP server (Dovecot): notices are
/// accepted by maildev, reports for them land in the mailbox, and the ledger, the MASSH and the
/// handover checklist hear of it.
/// </summary>
public sealed class BounceMailboxTests(PostgresFixture postgres, MailDevFixture mail, DovecotFixture imap)
    : WorkerTest(postgres, mail), IClassFixture<DovecotFixture>
{
    private const string ViewerPassword = "viewer password for tests";

    protected override void Adjust(Dictionary<string, string?> settings)
    {
        ReadFrom(settings, imap.Port, DovecotFixture.Password);
        Dashboard.DashboardClient.AddAccount(settings, "vera", ViewerPassword, "viewer");
    }

    private static void ReadFrom(Dictionary<string, string?> settings, int port, string password, string every = "00:00:01")
    {
        settings["Mail:Bounces:Imap:Host"] = "127.0.0.1";
        settings["Mail:Bounces:Imap:Port"] = port.ToString(CultureInfo.InvariantCulture);
        settings["Mail:Bounces:Imap:Security"] = "None";
        settings["Mail:Bounces:Imap:UserName"] = DovecotFixture.UserName;
        settings["Mail:Bounces:Imap:Password"] = password;
        settings["Mail:Bounces:Imap:PollInterval"] = every;
    }

    private Task<IReadOnlyList<Guid>> SentTo(string role) =>
        Worker.QueryAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = @role AND state = 'sent'", new { role });

    private Task<long> CountAsync(string where, object? parameters = null) =>
        Worker.QueryScalarAsync<long>($"SELECT count(*) FROM stepupdown.notifications WHERE {where}", parameters);

    private async Task<IReadOnlyList<ReceivedMail>> CouldNotNotifyAsync() =>
        (await Mail.GetMessagesAsync()).Where(m => m.Subject.StartsWith("Could not notify", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task AGpNoticeThatBounces_IsBounced_TheMasshIsToldTheCode_AndTheHandoverMissesTheGpAgain()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "CIN", 1));
        Feed.ServePage("c1", "c2", HandoverLadderTests.Agreed(2));
        Feed.ServePage("c2", "c3", HandoverLadderTests.Agreed(3, level: "EH", done: true));
        for (var poll = 0; poll < 3; poll++)
        {
            await Worker.PollAsync();
        }

        await Worker.WaitForLedgerSettledAsync();
        var gpNotices = await SentTo("gp");
        var processedBefore = await imap.CountAsync(BounceMailbox.ProcessedFolder);
        await Mail.ClearAsync();

        foreach (var (notice, shape) in gpNotices.Select((notice, i) => (notice, i % 2 == 0 ? Reports.Postfix(notice) : Reports.Gmail(notice))))
        {
            await imap.AppendAsync(shape);
        }

        await Worker.WaitUntilAsync(async () => await CountAsync("state = 'bounced'") == gpNotices.Count, "every GP notice is bounced");
        await Worker.WaitForLedgerSettledAsync();
        var told = await CouldNotNotifyAsync();
        var swept = await Worker.SweepOnAsync("2026-11-18");
        var trail = (await Worker.Get<AuditTrails>().FindAsync(WorkerHarness.Source, "SC-1", null, CancellationToken.None))!;
        using var viewer = new Dashboard.DashboardClient(Worker.BaseAddress);
        await viewer.SignInAsync("vera", ViewerPassword);
        var page = await (await viewer.GetPageAsync("/hangfire/delivery-reports")).Content.ReadAsStringAsync();
        var (_, readyToday) = await HealthTests.ReadyAsync(Worker);
        await Worker.QueryScalarAsync<int>("UPDATE stepupdown.notifications SET bounced_at = bounced_at - interval '7 days' WHERE state = 'bounced'");
        var (_, readyAWeekOn) = await HealthTests.ReadyAsync(Worker);

        gpNotices.ShouldNotBeEmpty();
        (await Worker.QueryAsync<(string, bool)>("SELECT report_status, bounced_at IS NOT NULL FROM stepupdown.notifications WHERE state = 'bounced'"))
            .ShouldAllBe(row => row.Item1 == "5.1.1" && row.Item2);
        told.Count.ShouldBe(gpNotices.Count, "the MASSH is told of each bounced GP notice");
        told.ShouldAllBe(m => m.To.Single().Address == "massh@example-council.gov.uk");
        told.ShouldAllBe(m => m.Text!.Contains("5.1.1") && m.Text.Contains("no such mailbox") && m.Text.Contains("social-care SC-1"));
        told.ShouldAllBe(m => !m.Text!.Contains(Reports.QuotedName) && !m.Text.Contains(Reports.QuotedAddress), "the report's own words are never passed on");
        trail.Events.Count(e => e.What.StartsWith("notice to gp", StringComparison.Ordinal) && e.State.Contains("; bounced (5.1.1) "))
            .ShouldBe(gpNotices.Count, "the audit trail's evidence for each GP notice");
        trail.Events.Count(e => e.What.StartsWith("notice to massh-undelivered", StringComparison.Ordinal) && e.State.Contains("; accepted by the relay, no report yet"))
            .ShouldBe(gpNotices.Count);
        page.ShouldContain("no such mailbox");
        page.ShouldContain("riverside.practice@nhs.example", customMessage: "the practice is flagged until a notice to it is delivered");
        HealthTests.StatusOf(readyToday, "bounce-mailbox").ShouldBe("Healthy", "the MASSH was told today");
        HealthTests.StatusOf(readyAWeekOn, "bounce-mailbox").ShouldBe("Degraded", "nobody has answered the bounce for more than a working day");
        page.ShouldNotContain(Reports.QuotedName);
        swept.Completed.ShouldBe(0, "every other item is done, but the GP was not told after all");
        (await Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.handovers")).ShouldBe("open");
        (await imap.CountAsync(BounceMailbox.ProcessedFolder)).ShouldBe(processedBefore + gpNotices.Count);
        (await imap.CountAsync("INBOX")).ShouldBe(0);
        var log = await Worker.StopAndReadLogAsync();
        log.ShouldNotContain(Reports.QuotedName);
        log.ShouldNotContain(Reports.QuotedAddress);
    }

    [Fact]
    public async Task WhatIsNoBounceOfASentNotice_ChangesNoRowWrongly_AndTheReadGoesOnToTheBounceAfterIt()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();
        var gp = (await SentTo("gp")).Single();
        var massh = (await SentTo("massh")).Single();
        var (processedBefore, unmatchedBefore) = (await imap.CountAsync(BounceMailbox.ProcessedFolder), await imap.CountAsync(BounceMailbox.UnmatchedFolder));
        await Mail.ClearAsync();

        await imap.AppendAsync(Reports.OutOfOffice(gp));
        await imap.AppendAsync(Reports.Postfix(gp, action: "delayed", status: "4.4.1"));
        await imap.AppendAsync(Reports.Broken(gp));
        await imap.AppendAsync(Reports.Postfix(Guid.NewGuid()));
        await imap.AppendAsync(Reports.Exchange(massh));
        await Worker.WaitUntilAsync(async () => await CountAsync("id = @massh AND state = 'bounced'", new { massh }) == 1, "the MASSH's own notice is bounced");
        await Worker.WaitUntilAsync(async () => await imap.CountAsync("INBOX") == 0, "every message is read");

        (await Worker.QueryAsync<(string, string?, bool)>("SELECT state, report_status, delayed_at IS NOT NULL FROM stepupdown.notifications WHERE id = @gp", new { gp }))
            .Single().ShouldBe(("sent", "4.4.1", true), "a delay is noted, an out-of-office reply and a broken report are not bounces");
        (await Worker.QueryAsync<string>("SELECT kind FROM stepupdown.unmatched_reports ORDER BY id")).ShouldBe(["NotAReport", "Failed"]);
        (await CountAsync("recipient_role LIKE 'massh-undelivered:%'")).ShouldBe(0, "nobody is told of the MASSH's own bounce by mail to the MASSH");
        (await imap.CountAsync(BounceMailbox.UnmatchedFolder)).ShouldBe(unmatchedBefore + 2);
        (await imap.CountAsync(BounceMailbox.ProcessedFolder)).ShouldBe(processedBefore + 3);
        (await CouldNotNotifyAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task WhileAPeerReadsTheMailbox_ThisInstanceWaitsItsTurn_WithoutLoggingInToImapMeanwhile()
    {
        // A peer holds the read, with a report still in the folder.
        await using var peer = new Npgsql.NpgsqlConnection(Worker.ConnectionString);
        await peer.OpenAsync();
        var key = BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData("bounce-mailbox"u8), 0);
        await Dapper.SqlMapper.ExecuteAsync(peer, "SELECT pg_advisory_lock(@key)", new { key });
        await imap.AppendAsync(Reports.Postfix(Guid.NewGuid()));
        var status = Worker.Get<BounceMailboxStatus>();
        var (turns, logins) = (status.TurnsWaited, imap.Logins);

        await Worker.WaitUntilAsync(() => Task.FromResult(status.TurnsWaited >= turns + 3), "three turns waited while the peer reads");
        var loginsWhileWaiting = imap.Logins - logins;
        await Dapper.SqlMapper.ExecuteAsync(peer, "SELECT pg_advisory_unlock(@key)", new { key });
        await Worker.WaitUntilAsync(async () => await imap.CountAsync("INBOX") == 0, "read once the peer is done");

        loginsWhileWaiting.ShouldBeLessThanOrEqualTo(1, "at most the one wait that was under way when the peer took the read; none per turn");
    }

    [Fact]
    public async Task WhatTheMailboxFiled_IsPurgedWithTheLedgerAndTheQuarantine_ByWhenItArrived()
    {
        var now = DateTimeOffset.UtcNow;
        await imap.AppendAsync(Reports.OutOfOffice(Guid.NewGuid()), BounceMailbox.ProcessedFolder, now.AddDays(-400));
        await imap.AppendAsync(Reports.Postfix(Guid.NewGuid()), BounceMailbox.ProcessedFolder, now.AddDays(-300));
        await imap.AppendAsync(Reports.Broken(Guid.NewGuid()), BounceMailbox.UnmatchedFolder, now.AddDays(-100));
        await imap.AppendAsync(Reports.Broken(Guid.NewGuid()), BounceMailbox.UnmatchedFolder, now.AddDays(-80));
        var (processed, unmatched) = (await imap.CountAsync(BounceMailbox.ProcessedFolder), await imap.CountAsync(BounceMailbox.UnmatchedFolder));

        var purged = await Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<StepUpDown.Integration.Retention.RetentionPurge>(
            Worker.App.Services, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now)).PurgeAsync(CancellationToken.None);

        purged.MailboxMessages.ShouldBe(2, "a report older than the ledger's 365 days, an unmatched message older than the quarantine's 90");
        (await imap.CountAsync(BounceMailbox.ProcessedFolder)).ShouldBe(processed - 1);
        (await imap.CountAsync(BounceMailbox.UnmatchedFolder)).ShouldBe(unmatched - 1);
    }

    /// <summary>
    /// A worker of its own reading <paramref name="mailbox"/> (IDLE, PollInterval an hour), with a
    /// step up whose notices are sent: the class's worker would read the report first, and find no such notice.
    /// </summary>
    private async Task<WorkerHarness> StepUpWatchingItsOwnMailboxAsync(ThrowawayDovecot mailbox)
    {
        var worker = await WorkerHarness.StartAsync(
            await Postgres.CreateDatabaseAsync(), Feed.Url, Mail, settings => ReadFrom(settings, mailbox.Port, DovecotFixture.Password, "01:00:00"));
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();
        await worker.WaitForLedgerSettledAsync();
        return worker;
    }

    private static async Task<Guid> GpNoticeAsync(WorkerHarness worker) =>
        (await worker.QueryAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp'")).Single();

    /// <summary>Its own mailbox and worker.</summary>
    [Fact]
    public async Task AReportLanding_IsReadAtOnceThroughIdle_NotAtTheNextPollInterval()
    {
        await using var mailbox = await ThrowawayDovecot.StartAsync();
        await using var worker = await StepUpWatchingItsOwnMailboxAsync(mailbox);
        var gp = await GpNoticeAsync(worker);
        await worker.WaitUntilAsync(() => Task.FromResult(worker.Get<BounceMailboxStatus>().Last is { Error: null }), "the first read is done, and the watcher idles");

        await mailbox.AppendAsync(Reports.Postfix(gp));

        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @gp", new { gp }) == "bounced",
            "the report is read within seconds, an hour before the next PollInterval",
            TimeSpan.FromSeconds(15));
    }

    /// <summary>
    /// Its own mailbox and worker. The minutely recurring read (or a peer instance) holds the read
    /// as a report lands: the watcher reads it as soon as the read is free, not at its next
    /// PollInterval (once, the report waited 15 s, a bounce bench's p95).
    /// </summary>
    [Fact]
    public async Task AReportLandingWhileAPeerReads_IsReadAsSoonAsThePeerIsDone_NotAtTheNextPollInterval()
    {
        await using var mailbox = await ThrowawayDovecot.StartAsync();
        await using var worker = await StepUpWatchingItsOwnMailboxAsync(mailbox);
        var gp = await GpNoticeAsync(worker);
        var status = worker.Get<BounceMailboxStatus>();
        await worker.WaitUntilAsync(() => Task.FromResult(status.Last is { Error: null }), "the first read is done, and the watcher idles");

        await using var peer = new Npgsql.NpgsqlConnection(worker.ConnectionString);
        await peer.OpenAsync();
        var key = BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData("bounce-mailbox"u8), 0);
        await Dapper.SqlMapper.ExecuteAsync(peer, "SELECT pg_advisory_lock(@key)", new { key });
        var turns = status.TurnsWaited;
        await mailbox.AppendAsync(Reports.Postfix(gp));
        await worker.WaitUntilAsync(() => Task.FromResult(status.TurnsWaited > turns), "the watcher woke for the report and found the peer reading");
        await Dapper.SqlMapper.ExecuteAsync(peer, "SELECT pg_advisory_unlock(@key)", new { key });

        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @gp", new { gp }) == "bounced",
            "the report is read within seconds of the peer being done, an hour before the next PollInterval",
            TimeSpan.FromSeconds(15));
    }

    /// <summary>
    /// Its own mailbox and a worker with no job server: the GP's notice is not sent until the test
    /// sends it. A report that races its row's record (the row still <c>sending</c>, its sender gone
    /// before recording "accepted") is kept, and applied the moment the row is recorded sent.
    /// </summary>
    [Fact]
    public async Task ABounceForARowStillSending_IsKept_AndAppliedWhenTheRowIsRecordedSent_TheMasshToldAtOnce()
    {
        await using var mailbox = await ThrowawayDovecot.StartAsync();
        await using var worker = await WorkerHarness.StartAsync(
            await Postgres.CreateDatabaseAsync(), Feed.Url, Mail, settings =>
            {
                ReadFrom(settings, mailbox.Port, DovecotFixture.Password);
                settings["Jobs:RunServer"] = "false"; // nothing is sent but by the test
            });
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();
        var gp = (await worker.QueryAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp'")).Single();
        // Its sender marked it sending, handed it to the relay and died before recording it.
        await worker.QueryScalarAsync<int>("UPDATE stepupdown.notifications SET state = 'sending', sending_since = now(), sending_by = gen_random_uuid() WHERE id = @gp", new { gp });

        await mailbox.AppendAsync(Reports.Postfix(gp));
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<bool>("SELECT kept_report_at IS NOT NULL FROM stepupdown.notifications WHERE id = @gp", new { gp }),
            "the report is read and kept on the row");
        var stateWhileKept = await worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @gp", new { gp });
        var outcome = await worker.Get<StepUpDown.Integration.Notifications.NotificationDelivery>().DeliverAsync(gp, CancellationToken.None);

        stateWhileKept.ShouldBe("sending", "a report changes no row still being recorded");
        outcome.NoticeAdded.ShouldBeTrue("the MASSH's notice wants dispatching at once");
        (await worker.QueryAsync<(string, string?, bool)>("SELECT state, report_status, bounced_at IS NOT NULL FROM stepupdown.notifications WHERE id = @gp", new { gp }))
            .Single().ShouldBe(("bounced", "5.1.1", true), "recorded sent, it is bounced at once: GP notified does not hold");
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'massh-undelivered:gp' AND state = 'pending'"))
            .ShouldBe(1, "the MASSH is told of the bounce");
        (await mailbox.CountAsync(BounceMailbox.UnmatchedFolder)).ShouldBe(0, "a report of a row not yet sent is no stranger");
    }

    [Theory]
    [InlineData("wrong password")]
    [InlineData("nobody listening")]
    public async Task AMailboxThatCannotBeRead_FailsTheReadVisibly_ReadinessSaysSo_AndSendingGoesOn(string fault)
    {
        var port = fault == "nobody listening" ? MailDevFixture.FreePort() : imap.Port;
        var password = fault == "wrong password" ? "not the password" : DovecotFixture.Password;
        // Read once at start by the instance's timer, then not for an hour: the job's read below is not skipped for the timer's.
        await using var worker = await WorkerHarness.StartAsync(await Postgres.CreateDatabaseAsync(), Feed.Url, Mail, settings => ReadFrom(settings, port, password, "01:00:00"));
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.WaitUntilAsync(() => Task.FromResult(worker.Get<BounceMailboxStatus>().Last is { Error: not null }), "the timer's first read has failed");
        // Its failure is recorded a moment before its read lock is let go: the job's read must not find it held, and skip.
        var key = BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData("bounce-mailbox"u8), 0);
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<bool>("SELECT pg_try_advisory_lock(@key) AND pg_advisory_unlock(@key)", new { key }),
            "the timer's read has let its lock go");

        var read = await Should.ThrowAsync<Exception>(() => worker.InScopeAsync<ReadBounceMailboxJob, bool>(async job =>
        {
            await job.ExecuteAsync(CancellationToken.None);
            return true;
        }));
        var (_, ready) = await HealthTests.ReadyAsync(worker);
        await worker.PollAsync();
        await worker.PollAsync();
        await worker.WaitForLedgerSettledAsync();

        read.ShouldBeOfType(fault == "wrong password" ? typeof(MailKit.Security.AuthenticationException) : typeof(System.Net.Sockets.SocketException));
        HealthTests.StatusOf(ready, "bounce-mailbox").ShouldBe("Degraded");
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'gp' AND state = 'sent'")).ShouldBe(1);
    }
}

