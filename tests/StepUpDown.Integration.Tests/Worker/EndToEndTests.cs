using Hangfire;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Worker;

[Collection(IntegrationCollection.Name)]
public sealed class EndToEndTests(PostgresFixture postgres, MailDevFixture mail) : IAsyncLifetime
{
    private readonly FeedServer _feed = new();

    public Task InitializeAsync() => mail.ClearAsync();

    public Task DisposeAsync()
    {
        _feed.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task StepUp_AfterBaseline_EmailsTheGpAndTheMasshOnce_AndNothingElse()
    {
        _feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1), Children.Record("SC-2", "CIN", 1, given: "Alan", family: "Turing", nhsNumber: Children.NhsNumberFor(2)));
        _feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        _feed.ServePage("c2", "c3", Children.Record("SC-1", "CP", 2));
        _feed.ServePage("c3", "c3");
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail);

        // Baseline: stored, never notified.
        await PollThroughHangfireAsync(worker, expectedCursor: "c1");
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.child_records")).ShouldBe(2);
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications")).ShouldBe(0);

        // Early help -> child protection: one email to the GP practice's secure mailbox, one to the MASSH.
        await PollThroughHangfireAsync(worker, expectedCursor: "c2");
        var received = await mail.WaitForMessagesAsync(2);
        received.Select(m => m.To.ShouldHaveSingleItem().Address).ShouldBe(["riverside.practice@nhs.example", "massh@example-council.gov.uk"], ignoreOrder: true);
        var message = received.Single(m => m.To[0].Address == "riverside.practice@nhs.example");
        message.Subject.ShouldBe($"Step up to Child protection: notice for GP records (ref {ReferenceIn(message)})");

        // Mail people can act on: one reference for the step in every copy, replies to the MASSH, marked automatic.
        received.Select(m => m.Header("x-stepupdown-reference")).Distinct().ShouldHaveSingleItem().ShouldBe(ReferenceIn(message));
        foreach (var copy in received)
        {
            (await mail.SourceAsync(copy)).ShouldContain("Reply-To: massh@example-council.gov.uk");
        }

        received.ShouldAllBe(m => m.Header("auto-submitted") == "auto-generated");
        message.Text.ShouldNotBeNull();
        message.Text.ShouldContain("Ada Lovelace");
        message.Text.ShouldContain("943 476 5919");
        message.Text.ShouldContain("10 December 2015");
        message.Text.ShouldContain("Early help -> Child protection");
        message.Text.ShouldContain("Grace Hopper");
        message.Text.ShouldContain("Weekly visits; school attendance support.");
        message.Text.ShouldContain("SNOMED CT 342191000000101");
        message.Html.ShouldNotBeNull();
        message.Html.ShouldContain("Early help &rarr; Child protection");

        // A replayed page (same version) changes nothing and sends nothing.
        await PollThroughHangfireAsync(worker, expectedCursor: "c3");
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.steps")).ShouldBe(1);
        (await worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications")).ShouldBe(2, "every email is a ledger row: no new row, no new email");
        (await mail.GetMessagesAsync()).Count.ShouldBe(2);

        // Hangfire's tables hold ids only: no child's name or NHS number in any job, state or job parameter.
        var jobData = string.Join("\n", await worker.QueryAsync<string>(
            """
            SELECT j.invocationdata::text || ' ' || j.arguments::text || ' ' || coalesce(s.name, '') || ' ' || coalesce(s.reason, '') || ' '
                   || coalesce(s.data::text, '') || ' ' || coalesce(p.name, '') || ' ' || coalesce(p.value, '')
              FROM hangfire.job j LEFT JOIN hangfire.state s ON s.jobid = j.id LEFT JOIN hangfire.jobparameter p ON p.jobid = j.id
            """));
        jobData.ShouldContain(nameof(PollCaseFeedJob));
        jobData.ShouldNotContain("Lovelace");
        jobData.ShouldNotContain(Children.ValidNhsNumber);

        var log = await worker.StopAndReadLogAsync();
        log.ShouldContain("Polled social-care");
        foreach (var personal in new[] { "Lovelace", "Ada", "Turing", Children.ValidNhsNumber, "943 476 5919", "2015-12-10", "Grace Hopper" })
        {
            // As a word: a random id in the log (a Data Protection key's) may hold the letters "ada".
            System.Text.RegularExpressions.Regex.IsMatch(log, $@"\b{System.Text.RegularExpressions.Regex.Escape(personal)}\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)
                .ShouldBeFalse($"the log names {personal}");
        }
    }

    private static string ReferenceIn(ReceivedMail message) =>
        message.Subject[(message.Subject.LastIndexOf("ref ", StringComparison.Ordinal) + 4)..].TrimEnd(')');

    private static async Task PollThroughHangfireAsync(WorkerHarness worker, string expectedCursor)
    {
        worker.Get<IRecurringJobManager>().Trigger(PollCaseFeedJob.RecurringJobId(WorkerHarness.Source));
        await worker.WaitUntilAsync(
            async () => await worker.QueryScalarAsync<string?>("SELECT cursor FROM stepupdown.source_cursors WHERE source = @source", new { source = WorkerHarness.Source }) == expectedCursor,
            $"the cursor is {expectedCursor}");
    }
}
