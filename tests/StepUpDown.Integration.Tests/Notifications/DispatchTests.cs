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
        await Mail.WaitForMessagesAsync(2);
        await Mail.ClearAsync();
    }

    [Fact]
    public async Task StaleUntriedClaim_IsDispatchedAgain_AFreshOneIsLeftToItsJob()
    {
        await StepUpDeliveredAsync();

        // As if a dispatch had claimed two rows and crashed before enqueuing their jobs: one claim an hour old, one just made.
        await Worker.QueryScalarAsync<int>(
            """
            UPDATE stepupdown.notifications
               SET state = 'pending', attempts = 0, sent_at = NULL,
                   enqueued_at = CASE recipient_role WHEN 'gp' THEN now() - interval '1 hour' ELSE now() END
            """);

        var dispatched = await Worker.Get<NotificationDispatcher>().DispatchPendingAsync(CancellationToken.None);

        dispatched.ShouldBe(1);
        (await Mail.WaitForMessagesAsync(1)).ShouldHaveSingleItem().To.Single().Address.ShouldBe("riverside.practice@nhs.example");
        await Task.Delay(1000);
        (await Mail.GetMessagesAsync()).Count.ShouldBe(1, "the fresh claim is its own job's to send");
    }

    [Fact]
    public async Task SendingLeftByACrash_IsSentAgainWithItsMessageId_ButAnAttemptUnderWayIsLeftAlone()
    {
        await StepUpDeliveredAsync();
        var gp = await Worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp'");
        var massh = await Worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'massh'");
        var gpMessageId = await Worker.QueryScalarAsync<string>("SELECT message_id FROM stepupdown.notifications WHERE recipient_role = 'gp'");
        await Worker.QueryScalarAsync<int>(
            """
            UPDATE stepupdown.notifications
               SET state = 'sending', sent_at = NULL,
                   sending_since = CASE recipient_role WHEN 'gp' THEN now() - interval '1 hour' ELSE now() END
            """);

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
