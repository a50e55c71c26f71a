using StepUpDown.Integration.Notifications;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Notifications;

public sealed class GpNotificationTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    /// <summary>Baseline at early help, then a step up to child protection: returns the GP notification's id.</summary>
    /// <summary>Adopts SC-1 at early help (at the same GP practice), then reads <paramref name="stepped"/>.</summary>
    private async Task<Guid> StepUpAsync(Dictionary<string, object?> stepped, string odsCode = "Y00001")
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1, odsCode: odsCode));
        Feed.ServePage("c1", "c2", stepped);
        await Worker.PollAsync();
        await Worker.PollAsync();
        return await Worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'gp'");
    }

    private async Task<IReadOnlyList<ReceivedMail>> GpMessagesAsync() =>
        (await Mail.GetMessagesAsync()).Where(m => m.To.Any(t => t.Address == "riverside.practice@nhs.example")).ToList();

    private Task WaitForStateAsync(Guid id, string state) =>
        Worker.WaitUntilAsync(
            async () => await Worker.QueryScalarAsync<string>("SELECT state FROM stepupdown.notifications WHERE id = @id", new { id }) == state,
            $"notification is {state}");

    private Task<DeliveryOutcome> RunJobAgainAsync(Guid id) => Worker.Get<NotificationDelivery>().DeliverAsync(id, CancellationToken.None);

    [Fact]
    public async Task Job_RunAgainAfterSending_SendsNoSecondCopy_AndTheMessageIdIsTheLedgers()
    {
        var id = await StepUpAsync(Children.Record("SC-1", "CP", 2));
        await WaitForStateAsync(id, "sent");

        await RunJobAgainAsync(id); // a second copy would be in the sink now: it stores a message before accepting it

        var message = (await GpMessagesAsync()).ShouldHaveSingleItem();
        var ledgerMessageId = await Worker.QueryScalarAsync<string>("SELECT message_id FROM stepupdown.notifications WHERE id = @id", new { id });
        message.Header("message-id").ShouldBe($"<{ledgerMessageId}>");
        ledgerMessageId.ShouldStartWith(id.ToString("N"));
        (await Worker.QueryScalarAsync<int>("SELECT attempts FROM stepupdown.notifications WHERE id = @id", new { id })).ShouldBe(1);
    }

    [Fact]
    public async Task ChildWithInvalidNhsNumber_TheGpIsNotWrittenTo_AndTheMasshIsAskedToResolveTheMatch()
    {
        await StepUpAsync(Children.Record("SC-1", "CP", 2, nhsNumber: "9434765918"));
        var match = await Worker.QueryScalarAsync<Guid>("SELECT id FROM stepupdown.notifications WHERE recipient_role = 'massh-nhs-match'");

        await WaitForStateAsync(match, "sent");

        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE recipient_role = 'gp'")).ShouldBe(0);
        (await GpMessagesAsync()).ShouldBeEmpty();
        var messages = await Mail.WaitForMessagesAsync(2);
        var notice = messages.Single(m => m.Subject.StartsWith("GP not notified", StringComparison.Ordinal));
        notice.To.ShouldHaveSingleItem().Address.ShouldBe("massh@example-council.gov.uk");
        notice.Text.ShouldNotBeNull().ShouldContain("fails the NHS number check");
    }

    [Fact]
    public async Task Job_PracticeNotInTheGpDirectory_FailsAtOnceWithoutRetries()
    {
        var id = await StepUpAsync(Children.Record("SC-1", "CP", 2, odsCode: "Z99999"), odsCode: "Z99999");

        await WaitForStateAsync(id, "failed");

        (await Worker.QueryAsync<(string Kind, DateTime? NextAttemptAt)>("SELECT failure_kind, next_attempt_at FROM stepupdown.notifications WHERE id = @id", new { id }))
            .Single().ShouldBe(("refused", null), "refused, with no next attempt: trying again cannot help");
        (await Worker.QueryScalarAsync<string>("SELECT last_error FROM stepupdown.notifications WHERE id = @id", new { id }))
            .ShouldContain("Z99999");
        (await Worker.QueryScalarAsync<int>("SELECT attempts FROM stepupdown.notifications WHERE id = @id", new { id })).ShouldBe(1);
        (await GpMessagesAsync()).ShouldBeEmpty();
        var toMassh = (await Mail.WaitForMessagesAsync(2)).Where(m => m.Subject.StartsWith("Could not notify the gp", StringComparison.Ordinal)).ToList();
        toMassh.ShouldHaveSingleItem().Text.ShouldNotBeNull().ShouldContain("(ODS code 'Z99999')");
    }

    [Fact]
    public async Task Job_LongNonAsciiPlanSummary_ArrivesWhole_AndEncodedInHtml()
    {
        var summary = string.Concat(Enumerable.Repeat("Zoë's family <plan> — “weekly” visits; 学校 support. ", 200));
        var stepped = Children.Record("SC-1", "CP", 2);
        stepped["plan"] = new { type = "cp", startedOn = "2026-11-02", summary };
        var id = await StepUpAsync(stepped);
        await WaitForStateAsync(id, "sent");

        var message = (await GpMessagesAsync()).ShouldHaveSingleItem();

        message.Text.ShouldNotBeNull().ShouldContain(summary.Trim());
        message.Html.ShouldNotBeNull().ShouldContain("&lt;plan&gt;");
        message.Html.ShouldNotContain("<plan>");
        System.Net.WebUtility.HtmlDecode(message.Html).ShouldContain(summary.Trim());
    }

    private const string Invalid = "9434765918";

    private async Task<IReadOnlyList<ReceivedMail>> DeliveredAsync()
    {
        await Worker.WaitForLedgerSettledAsync();
        return await Mail.WaitForMessagesAsync((int)await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state = 'sent'"));
    }

    [Fact]
    public async Task NhsNumberCorrectedLater_TheGpIsToldTheCurrentPlanOnce()
    {
        await StepUpAsync(Children.Record("SC-1", "CP", 2, nhsNumber: Invalid));
        Feed.ServePage("c2", "c3", Children.Record("SC-1", "CP", 3));
        Feed.ServePage("c3", "c4", Children.Record("SC-1", "CP", 4));
        await Worker.PollAsync();
        await DeliveredAsync();
        await Worker.PollAsync();

        var messages = await DeliveredAsync();
        var toGp = messages.Where(m => m.To.Single().Address == "riverside.practice@nhs.example").ToList();
        var notice = toGp.ShouldHaveSingleItem("told once, when the number passed; not again at the next version");
        notice.Subject.ShouldStartWith("Current plan (Child protection), NHS number now confirmed");
        notice.Text.ShouldNotBeNull().ShouldContain("NHS number was missing or did not pass the check. It now does");
        notice.Text.ShouldContain("943 476 5919");
        notice.Text.ShouldContain("SNOMED CT 342191000000101");
        messages.Count.ShouldBe(3, "the MASSH's step up notice and its request to match the number, then the GP's");
    }

    [Fact]
    public async Task NhsNumberCorrectedInTheSamePageAsTheWithheldStep_TheGpIsToldOnce()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1, nhsNumber: Invalid));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2, nhsNumber: Invalid), Children.Record("SC-1", "CP", 3));
        await Worker.PollAsync();
        await Worker.PollAsync();

        var toGp = (await DeliveredAsync()).Where(m => m.To.Single().Address == "riverside.practice@nhs.example").ToList();

        toGp.ShouldHaveSingleItem().Subject.ShouldStartWith("Current plan (Child protection)");
    }

    [Fact]
    public async Task NhsNumberCorrectedWithAStep_TheGpGetsTheStepNoticeOnly()
    {
        await StepUpAsync(Children.Record("SC-1", "CP", 2, nhsNumber: Invalid));
        Feed.ServePage("c2", "c3", Children.Record("SC-1", "LAC", 3));
        await Worker.PollAsync();

        var toGp = (await DeliveredAsync()).Where(m => m.To.Single().Address == "riverside.practice@nhs.example").ToList();

        toGp.ShouldHaveSingleItem().Subject.ShouldStartWith("Step up to Looked after");
    }
}
