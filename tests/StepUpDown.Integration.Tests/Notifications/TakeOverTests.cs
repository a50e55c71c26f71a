using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Notifications;

/// <summary>
/// What a dead instance held is taken over at once by the next dispatch or attempt (its lease
/// has lapsed); what a live one holds is left to it (design.md "Guarantees": take-over within a minute).
/// </summary>
public sealed class TakeOverTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string Gp = "riverside.practice@nhs.example";

    /// <summary>A step up delivered to the GP and the MASSH; returns the GP row's id and Message-Id.</summary>
    private async Task<(Guid Id, string MessageId)> DeliveredStepUpAsync()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();
        await Mail.WaitForMessagesAsync(2);
        await Mail.ClearAsync();
        return (await Worker.QueryAsync<(Guid, string)>("SELECT id, message_id FROM stepupdown.notifications WHERE recipient_role = 'gp'")).Single();
    }

    /// <summary>Another instance that is alive: its heartbeat is fresh.</summary>
    private async Task<Guid> LivePeerAsync()
    {
        var peer = Guid.NewGuid();
        await Worker.QueryScalarAsync<int>("INSERT INTO stepupdown.instances VALUES (@peer, now(), now()); SELECT 1", new { peer });
        return peer;
    }

    [Fact]
    public async Task ClaimOfAKilledInstance_IsDeliveredByTheNextDispatch_AndALivePeersClaimIsLeftToIt()
    {
        var (gp, _) = await DeliveredStepUpAsync();
        var livePeer = await LivePeerAsync();
        // As a kill -9 leaves them: the GP's notice claimed by an instance that no longer beats, the MASSH's by a live peer.
        await Worker.QueryScalarAsync<int>(
            """
            UPDATE stepupdown.notifications SET state = 'pending', sent_at = NULL, claimed_at = now(),
                   claimed_by = CASE WHEN recipient_role = 'gp' THEN @dead ELSE @livePeer END;
            SELECT 1
            """,
            new { dead = Guid.NewGuid(), livePeer });

        await Worker.InScopeAsync<NotificationDispatcher, int>(dispatcher => dispatcher.DispatchPendingAsync(CancellationToken.None));

        (await Mail.WaitForMessagesAsync(1)).ShouldHaveSingleItem().To.Single().Address.ShouldBe(Gp);
        (await Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @gp", new { gp })).ShouldBe("sent");
        (await Worker.QueryAsync<(string State, Guid ClaimedBy)>("SELECT state, claimed_by FROM stepupdown.notifications WHERE recipient_role = 'massh'"))
            .ShouldBe([("pending", livePeer)]);
    }

    [Fact]
    public async Task RowLeftSendingByAKilledInstance_IsSentAgainAtOnce_WithItsOwnMessageId()
    {
        var (gp, messageId) = await DeliveredStepUpAsync();
        await Worker.QueryScalarAsync<int>(
            "UPDATE stepupdown.notifications SET state = 'sending', sent_at = NULL, sending_since = now(), sending_by = @dead WHERE id = @gp; SELECT 1",
            new { dead = Guid.NewGuid(), gp });

        await Worker.Get<NotificationDelivery>().DeliverAsync(gp, CancellationToken.None);

        var again = (await Mail.WaitForMessagesAsync(1)).ShouldHaveSingleItem();
        again.Header("message-id").ShouldBe($"<{messageId}>");
    }

    [Fact]
    public async Task RowSendingByALivePeer_IsLeftToIt()
    {
        var (gp, _) = await DeliveredStepUpAsync();
        var livePeer = await LivePeerAsync();
        await Worker.QueryScalarAsync<int>(
            "UPDATE stepupdown.notifications SET state = 'sending', sent_at = NULL, sending_since = now(), sending_by = @livePeer WHERE id = @gp; SELECT 1",
            new { livePeer, gp });

        (await Worker.Get<NotificationDelivery>().DeliverAsync(gp, CancellationToken.None)).Result.ShouldBe(DeliveryResult.InFlight);
        (await Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @gp", new { gp })).ShouldBe("sending");
    }

    [Fact]
    public async Task TheWorkerHeartbeats_AndAStoppedWorkerHandsOverAtOnce()
    {
        await Worker.WaitUntilAsync(
            async () => await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.instances WHERE heartbeat_at > now() - interval '30 seconds'") == 1,
            "this worker's lease is alive");

        var other = await WorkerHarness.StartAsync(Worker.ConnectionString, null, Mail);
        await Worker.WaitUntilAsync(async () => await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.instances") == 2, "both leases");
        await other.DisposeAsync();

        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.instances")).ShouldBe(1, "a clean stop removes its lease");
    }
}
