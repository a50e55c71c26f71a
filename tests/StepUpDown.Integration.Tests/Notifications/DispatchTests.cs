using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Notifications;

/// <summary>The dispatch as the only driver of attempts, and what a crash leaves behind: claims, and attempts left "sending".</summary>
public sealed class DispatchTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    /// <summary>A step up whose two notices (the GP's and the MASSH's) are delivered; the sink is emptied after.</summary>
    private async Task StepUpDeliveredAsync()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await DeliveredAsync(2);
    }

    /// <summary>Waits until the sink holds <paramref name="count"/> emails and the ledger has recorded them, then empties the sink.</summary>
    private async Task DeliveredAsync(int count)
    {
        await Mail.WaitForMessagesAsync(count);
        await Worker.WaitForLedgerSettledAsync();
        await Mail.ClearAsync();
    }

    [Fact]
    public async Task Delivered_ByTheDispatchItself_NothingLeftToRetry()
    {
        await StepUpDeliveredAsync();

        (await Worker.QueryAsync<(string State, int Attempts, DateTime? NextAttemptAt, string? FailureKind, Guid? ClaimedBy)>(
                "SELECT state, attempts, next_attempt_at, failure_kind, claimed_by FROM stepupdown.notifications"))
            .ShouldAllBe(row => row.State == "sent" && row.Attempts == 1 && row.NextAttemptAt == null && row.FailureKind == null && row.ClaimedBy == null);
    }

    [Fact]
    public async Task StaleClaim_IsDispatchedAgain_AFreshOneOrOneOwnedByAJobIsLeftAlone()
    {
        await StepUpDeliveredAsync();
        Feed.ServePage("c2", "c3", Children.Record("SC-1", "LAC", 3));
        await Worker.PollAsync();
        await DeliveredAsync(2);

        // The GP's claims an hour old (a dispatch that lost track of them); the MASSH's just made by
        // a live peer's dispatch; the step to looked after's GP notice waits for its next attempt, in an hour.
        var livePeer = Guid.NewGuid();
        await Worker.QueryScalarAsync<int>(
            """
            INSERT INTO stepupdown.instances VALUES (@livePeer, now(), now());
            UPDATE stepupdown.notifications n
               SET state = 'pending', attempts = 0, sent_at = NULL, claimed_by = @livePeer,
                   claimed_at = CASE recipient_role WHEN 'gp' THEN now() - interval '1 hour' ELSE now() END,
                   next_attempt_at = CASE WHEN recipient_role = 'gp' AND s.to_level = 'looked-after' THEN now() + interval '1 hour' END
              FROM stepupdown.steps s WHERE s.id = n.step_id;
            SELECT 1
            """,
            new { livePeer });

        var dispatched = await Worker.Get<NotificationDispatcher>().DispatchPendingAsync(CancellationToken.None);

        dispatched.ShouldBe(1);
        (await Mail.WaitForMessagesAsync(1)).ShouldHaveSingleItem().To.Single().Address.ShouldBe("riverside.practice@nhs.example");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE claimed_by = @livePeer AND state = 'pending' AND attempts = 0", new { livePeer }))
            .ShouldBe(3, "fresh claims (both MASSH notices) are their dispatch's to send, a row not yet due waits: all left as they were");
    }

    [Fact]
    public async Task SendingLeftByACrash_IsSentAgainWithItsMessageId_ButAnAttemptUnderWayIsLeftAlone()
    {
        await StepUpDeliveredAsync();
        var gp = await Worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp'");
        var massh = await Worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'massh'");
        var gpMessageId = await Worker.QueryScalarAsync<string>("SELECT message_id FROM stepupdown.notifications WHERE recipient_role = 'gp'");
        // The GP's left sending an hour ago; the MASSH's being sent now by a live peer.
        var livePeer = Guid.NewGuid();
        await Worker.QueryScalarAsync<int>(
            """
            INSERT INTO stepupdown.instances VALUES (@livePeer, now(), now());
            UPDATE stepupdown.notifications
               SET state = 'sending', sent_at = NULL, sending_by = @livePeer,
                   sending_since = CASE recipient_role WHEN 'gp' THEN now() - interval '1 hour' ELSE now() END;
            SELECT 1
            """,
            new { livePeer });

        var crashed = await Worker.Get<NotificationDelivery>().DeliverAsync(gp, CancellationToken.None);
        var underWay = await Worker.Get<NotificationDelivery>().DeliverAsync(massh, CancellationToken.None);

        var resent = (await Mail.WaitForMessagesAsync(1)).ShouldHaveSingleItem();
        resent.To.Single().Address.ShouldBe("riverside.practice@nhs.example");
        resent.Header("message-id").ShouldNotBeNull().ShouldContain(gpMessageId);
        (crashed.Result, underWay.Result).ShouldBe((DeliveryResult.Done, DeliveryResult.InFlight));
        (await Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @gp", new { gp })).ShouldBe("sent");
        (await Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @massh", new { massh })).ShouldBe("sending");
    }

    /// <summary>
    /// A full batch of rows a live peer is sending now, whose claims went stale (a slow relay): the
    /// dispatch leaves them to it. It once claimed them, found each under way, let them go and
    /// claimed them again at once, for ever.
    /// </summary>
    [Fact]
    public async Task AFullBatchOfAttemptsUnderWayElsewhere_IsLeftToItsSender_NotClaimedAgainAndAgain()
    {
        await StepUpDeliveredAsync();
        var livePeer = Guid.NewGuid();
        await Worker.QueryScalarAsync<int>(
            """
            INSERT INTO stepupdown.instances VALUES (@livePeer, now(), now());
            INSERT INTO stepupdown.notifications (id, step_id, recipient_role, state, message_id, template, created_at, sending_by, sending_since, sending_token, claimed_by, claimed_at)
            SELECT gen_random_uuid(), n.step_id, 'copy-' || g, 'sending', n.message_id || g, n.template, now(), @livePeer, now(), gen_random_uuid(), @livePeer, now() - interval '1 hour'
              FROM stepupdown.notifications n, generate_series(1, 100) g WHERE n.recipient_role = 'gp';
            SELECT 1
            """,
            new { livePeer });
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var dispatched = await Worker.Get<NotificationDispatcher>().DispatchPendingAsync(patience.Token);

        dispatched.ShouldBe(0, "a live sender's attempts under way are not claimed");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'sending' AND sending_by = @livePeer", new { livePeer }))
            .ShouldBe(100, "the peer's attempts are left to it");
    }
}
