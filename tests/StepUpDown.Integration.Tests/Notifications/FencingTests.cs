using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Notifications;

/// <summary>
/// Ownership is fenced (design: Guarantees): an attempt paused past its lease never overwrites
/// what a peer did with its row since, and technical timeouts run on the database's clock.
/// </summary>
public sealed class FencingTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private async Task<Guid> GpNoticeDeliveredAsync(WorkerHarness worker, FeedServer feed)
    {
        feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();
        await Mail.WaitForMessagesAsync(2);
        await worker.WaitForLedgerSettledAsync();
        await Mail.ClearAsync();
        return await worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp'");
    }

    private Task<string> StateAsync(Guid id) => Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @id", new { id });

    [Fact]
    public async Task AnAttemptPausedWhileAPeerSentItsRow_WritesNothing()
    {
        var gp = await GpNoticeDeliveredAsync(Worker, Feed);
        await Worker.QueryScalarAsync<int>("UPDATE stepupdown.notifications SET state = 'pending', sent_at = NULL WHERE id = @gp; SELECT 1", new { gp });
        var ledger = Worker.Get<NotificationLedger>();
        var attemptTimeout = TimeSpan.FromMinutes(5);

        await using var paused = await ledger.BeginAttemptAsync(gp, attemptTimeout, CancellationToken.None);
        (await paused!.MarkSendingAsync()).ShouldBeTrue("its lease is alive");
        // Its lease lapses; a peer takes the row over and the relay accepts the peer's copy.
        await using (var peer = await ledger.BeginAttemptAsync(gp, attemptTimeout, CancellationToken.None))
        {
            (await peer!.MarkSendingAsync()).ShouldBeTrue();
            (await peer.RecordAcceptedAsync(NotificationState.Sent, "riverside.practice@nhs.example")).ShouldBeTrue();
        }

        (await paused.RecordAsync(NotificationState.Pending, null, "Delivery failed: IOException")).ShouldBeFalse();
        (await StateAsync(gp)).ShouldBe("sent", "the peer's outcome stands");
        (await Worker.QueryScalarAsync<int>("SELECT attempts FROM stepupdown.notifications WHERE id = @gp", new { gp })).ShouldBe(3, "the first delivery, the paused attempt and the peer's");
    }

    /// <summary>
    /// The fence covers the send: an attempt that marked its row, then waited (for a connection, a
    /// paused VM) while a peer took the row over, is stopped by the check made on the relay
    /// connection just before the message is handed over: nothing reaches the relay.
    /// </summary>
    [Fact]
    public async Task AnAttemptWhoseRowAPeerTookOverWhileItWaited_HandsNothingToTheRelay()
    {
        var gp = await GpNoticeDeliveredAsync(Worker, Feed);
        await Worker.QueryScalarAsync<int>("UPDATE stepupdown.notifications SET state = 'pending', sent_at = NULL WHERE id = @gp; SELECT 1", new { gp });
        var ledger = Worker.Get<NotificationLedger>();
        var relay = Worker.Get<SmtpMailTransport>();
        var attemptTimeout = TimeSpan.FromMinutes(5);
        MimeKit.MimeMessage Message(string subject) => new(
            [new MimeKit.MailboxAddress("Service", "step-up-down@example-council.gov.uk")],
            [new MimeKit.MailboxAddress("Practice", "riverside.practice@nhs.example")],
            subject,
            new MimeKit.TextPart("plain") { Text = "A notice." });

        await using var paused = await ledger.BeginAttemptAsync(gp, attemptTimeout, CancellationToken.None);
        (await paused!.MarkSendingAsync()).ShouldBeTrue("its lease is alive");
        var ownedBefore = await paused.StillOwnsAsync(CancellationToken.None);
        await using var peer = await ledger.BeginAttemptAsync(gp, attemptTimeout, CancellationToken.None);
        (await peer!.MarkSendingAsync()).ShouldBeTrue("the peer takes the row over");

        await Should.ThrowAsync<SendAbandonedException>(() => relay.SendAsync(Message("the paused attempt's copy"), paused.StillOwnsAsync, CancellationToken.None));
        await relay.SendAsync(Message("the peer's copy"), peer.StillOwnsAsync, CancellationToken.None);
        var received = await Mail.WaitForMessagesAsync(1);

        ownedBefore.ShouldBeTrue();
        received.Select(m => m.Subject).ShouldBe(["the peer's copy"], "only the owner's copy reaches the relay");
    }

    [Fact]
    public async Task OnAnAcceleratedClock_ALivePeersFreshClaimIsNotStale()
    {
        using var feed = new FeedServer();
        await using var worker = await WorkerHarness.StartAsync(await Postgres.CreateDatabaseAsync(), feed.Url, Mail, settings => settings["Clock:Speed"] = "5040", environment: "Staging");
        await GpNoticeDeliveredAsync(worker, feed);
        var livePeer = Guid.NewGuid();
        await worker.QueryScalarAsync<int>(
            """
            INSERT INTO stepupdown.instances VALUES (@livePeer, now(), now());
            UPDATE stepupdown.notifications SET state = 'pending', sent_at = NULL, claimed_by = @livePeer, claimed_at = now() - interval '2 seconds';
            SELECT 1
            """,
            new { livePeer });

        // Two seconds are nearly three hours on the business clock, but a claim's age is a technical time.
        var dispatched = await worker.Get<NotificationDispatcher>().DispatchPendingAsync(CancellationToken.None);

        dispatched.ShouldBe(0);
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE claimed_by = @livePeer AND state = 'pending'", new { livePeer }))
            .ShouldBe(2);
    }
}
