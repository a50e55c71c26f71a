using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Notifications;

/// <summary>Claims that a crash left without their job are picked up again; fresh ones are not.</summary>
public sealed class DispatchTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    [Fact]
    public async Task StaleUntriedClaim_IsDispatchedAgain_AFreshOneIsLeftToItsJob()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Mail.WaitForMessagesAsync(2);
        await Mail.ClearAsync();

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
}
