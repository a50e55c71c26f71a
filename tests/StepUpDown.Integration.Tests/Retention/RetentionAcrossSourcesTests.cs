using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StepUpDown.Integration.Retention;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Retention;

/// <summary>The purge across two case systems: what an open handover counts stays, whichever record it is on.</summary>
public sealed class RetentionAcrossSourcesTests(PostgresFixture postgres, MailDevFixture mail) : TwoSourceTest(postgres, mail)
{
    [Fact]
    public async Task Purge_KeepsTheGpNoticeAnOpenHandoverCounts_ThoughItSitsOnTheLinkedEarlyHelpRecord()
    {
        await AdoptAsync([Children.Record("SC-1", "CIN", 1)], []);
        var agreed = Children.Record("SC-1", "CIN", 2);
        agreed["stepDown"] = new Dictionary<string, object?> { ["agreedOn"] = "2026-11-18", ["forum"] = "plan-review", ["targetLevel"] = "EH" };
        SocialCareFeed.ServePage("s1", "s2", agreed);
        await Worker.PollAsync();
        var closed = new Dictionary<string, object?>(agreed) { ["version"] = 3L, ["status"] = "closed" };
        SocialCareFeed.ServePage("s2", "s3", closed);
        await Worker.PollAsync();
        // Early help's record arrives after social care closed: the step down, and its GP notice, are on EH-7.
        EarlyHelpFeed.ServePage("e1", "e2", Children.Record("EH-7", "EH", 1));
        await Worker.PollAsync(EarlyHelp);
        await Worker.WaitForLedgerSettledAsync();
        (await Worker.QueryAsync<string>(
            "SELECT s.child_id FROM stepupdown.notifications n JOIN stepupdown.steps s ON s.id = n.step_id WHERE n.recipient_role = 'gp' AND n.state = 'sent'"))
            .ShouldBe(["EH-7"]);
        (await Worker.QueryScalarAsync<string>("SELECT child_id FROM stepupdown.handovers WHERE state = 'open'")).ShouldBe("SC-1");

        var purge = ActivatorUtilities.CreateInstance<RetentionPurge>(Worker.App.Services, new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(800)));
        await purge.PurgeAsync(CancellationToken.None);

        (await Worker.QueryScalarAsync<long>(
            "SELECT count(*) FROM stepupdown.notifications n JOIN stepupdown.steps s ON s.id = n.step_id WHERE n.recipient_role = 'gp' AND s.child_id = 'EH-7'"))
            .ShouldBe(1, "SC-1's open handover counts it as 'GP notified'");
    }
}
