using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Notifications;

/// <summary>What a crash leaves behind: claims without a job, and attempts left "sending".</summary>
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
    public async Task Delivered_ByTheDispatchItself_WithNoJobPerNotice()
    {
        await StepUpDeliveredAsync();

        (await Worker.QueryAsync<(string State, string? JobId)>("SELECT state, job_id FROM stepupdown.notifications"))
            .ShouldAllBe(row => row.State == "sent" && row.JobId == null);
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%SendNotificationJob%'"))
            .ShouldBe(0);
    }

    [Fact]
    public async Task FirstAttemptByDispatchOff_EveryNoticeIsItsOwnJob_DeliveredOnce()
    {
        using var feed = new FeedServer();
        await using var worker = await WorkerHarness.StartAsync(await Postgres.CreateDatabaseAsync(), feed.Url, Mail,
            settings => settings["Notifications:FirstAttemptByDispatch"] = "false");
        feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();

        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<long>(
                "SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%SendNotificationJob%' AND statename = 'Succeeded'") == 2,
            "both notices delivered by their own jobs");

        (await worker.QueryAsync<(string State, string? JobId)>("SELECT state, job_id FROM stepupdown.notifications"))
            .ShouldAllBe(row => row.State == "sent" && row.JobId != null);
        (await Mail.WaitForMessagesAsync(2)).Count(m => m.To[0].Address == "riverside.practice@nhs.example").ShouldBe(1);
    }

    [Fact]
    public async Task StaleClaim_IsDispatchedAgain_AFreshOneOrOneOwnedByAJobIsLeftAlone()
    {
        await StepUpDeliveredAsync();
        Feed.ServePage("c2", "c3", Children.Record("SC-1", "LAC", 3));
        await Worker.PollAsync();
        await DeliveredAsync(2);

        // The GP's claims an hour old (a dispatch that lost track of them); the MASSH's just made by
        // a live peer's dispatch; the step to looked after's GP notice belongs to a delivery job.
        var livePeer = Guid.NewGuid();
        await Worker.QueryScalarAsync<int>(
            """
            INSERT INTO stepupdown.instances VALUES (@livePeer, now(), now());
            UPDATE stepupdown.notifications n
               SET state = 'pending', attempts = 0, sent_at = NULL, claimed_by = @livePeer,
                   claimed_at = CASE recipient_role WHEN 'gp' THEN now() - interval '1 hour' ELSE now() END,
                   job_id = CASE WHEN recipient_role = 'gp' AND s.to_level = 'looked-after' THEN '42' END
              FROM stepupdown.steps s WHERE s.id = n.step_id;
            SELECT 1
            """,
            new { livePeer });

        var dispatched = await Worker.Get<NotificationDispatcher>().DispatchPendingAsync(CancellationToken.None);

        dispatched.ShouldBe(1);
        (await Mail.WaitForMessagesAsync(1)).ShouldHaveSingleItem().To.Single().Address.ShouldBe("riverside.practice@nhs.example");
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE claimed_by = @livePeer AND state = 'pending' AND attempts = 0", new { livePeer }))
            .ShouldBe(3, "fresh claims (both MASSH notices) are their dispatch's to send, an owned row its job's: all left as they were");
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

        await Worker.InScopeAsync<SendNotificationJob, bool>(async job => { await job.ExecuteAsync(gp, CancellationToken.None); return true; });
        var inFlight = await Should.ThrowAsync<DeliveryInFlightException>(() =>
            Worker.InScopeAsync<SendNotificationJob, bool>(async job => { await job.ExecuteAsync(massh, CancellationToken.None); return true; }));

        var resent = (await Mail.WaitForMessagesAsync(1)).ShouldHaveSingleItem();
        resent.To.Single().Address.ShouldBe("riverside.practice@nhs.example");
        resent.Header("message-id").ShouldNotBeNull().ShouldContain(gpMessageId);
        inFlight.Message.ShouldNotContain("Lovelace");
        (await Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @gp", new { gp })).ShouldBe("sent");
        (await Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @massh", new { massh })).ShouldBe("sending");
    }
}
