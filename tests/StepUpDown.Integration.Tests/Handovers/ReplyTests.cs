using System.Globalization;
using MimeKit;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Monitoring;
using StepUpDown.Integration.Tests.Dashboard;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Integration.Tests.Worker;

namespace StepUpDown.Integration.Tests.Handovers;

/// <summary>
/// Answers by reply, end to end: the running worker sends the handover pack through maildev with a
/// Reply-To that names the handover, the proposed lead's reply lands in a real IMAP server
/// (Dovecot), and the worker reads it, decides, and acts (the MASSH, the team, the ladder) or lists
/// it for a person. The agreement is dated today, so the sweep a reply sets off at once reviews it
/// on its own day; later days are swept with a chosen clock.
/// </summary>
public sealed class ReplyTests(PostgresFixture postgres, MailDevFixture mail, DovecotFixture imap)
    : WorkerTest(postgres, mail), IClassFixture<DovecotFixture>
{
    private const string ProposedLead = "pat.early@council.example";
    private const string TeamManager = "mary.somerville@council.example";
    private const string AgencyManager = "early.help.manager@example-council.gov.uk";
    private const string Massh = "massh@example-council.gov.uk";
    private const string ViewerPassword = "viewer password for tests";
    private const string AdminPassword = "admin password for tests";
    private const string DeclineWords = "I am not the right person: our service does not cover this postcode.";

    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    protected override void Adjust(Dictionary<string, string?> settings)
    {
        settings["Mail:Replies:Address"] = "stepupdown-replies+{token}@example-council.gov.uk";
        settings["Mail:Replies:TokenKey"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        settings["Mail:Replies:Imap:Host"] = "127.0.0.1";
        settings["Mail:Replies:Imap:Port"] = imap.Port.ToString(CultureInfo.InvariantCulture);
        settings["Mail:Replies:Imap:Security"] = "None";
        settings["Mail:Replies:Imap:UserName"] = DovecotFixture.UserName;
        settings["Mail:Replies:Imap:Password"] = DovecotFixture.Password;
        settings["Mail:Replies:Imap:PollInterval"] = "00:00:01";
        DashboardClient.AddAccount(settings, "vera", ViewerPassword, "viewer");
        DashboardClient.AddAccount(settings, "ada", AdminPassword, "admin");
    }

    /// <summary>A step down agreed today, every item done but the proposed lead's acceptance; the level already fallen to early help.</summary>
    private static Dictionary<string, object?> Agreed(long version, string level, bool accepted = false)
    {
        var pat = new Dictionary<string, object?>
        {
            ["id"] = "eh-7", ["name"] = "Pat Early", ["role"] = "Family support worker", ["agency"] = "early-help",
            ["email"] = ProposedLead, ["phone"] = "0100 000 0456",
        };
        var record = Children.Record("SC-1", level, version);
        record["stepDown"] = new Dictionary<string, object?>
        {
            ["agreedOn"] = Today, ["forum"] = "tac-meeting", ["targetLevel"] = "EH", ["proposedLeadProfessional"] = pat, ["familyConsent"] = true,
            ["smartPlanUpdatedOn"] = Today, ["planSharedOn"] = Today,
        };
        if (accepted)
        {
            record["leadProfessional"] = new Dictionary<string, object?>(pat) { ["acceptedOn"] = Today };
        }

        return record;
    }

    /// <summary>Agrees the step down and records the fall: returns the Reply-To of the handover pack the proposed lead was sent.</summary>
    private async Task<string> AgreeAsync()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "CIN", 1));
        Feed.ServePage("c1", "c2", Agreed(2, "CIN"));
        Feed.ServePage("c2", "c3", Agreed(3, "EH"));
        for (var poll = 0; poll < 3; poll++)
        {
            await Worker.PollAsync();
        }

        await Worker.WaitForLedgerSettledAsync();
        var pack = (await Mail.GetMessagesAsync()).Single(m => m.To.Single().Address == ProposedLead);
        var message = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await Mail.SourceAsync(pack))));
        pack.Text!.ShouldContain("Please reply to this email with Accept to take on the lead professional role for this child, or with Decline and your reason.");
        await Mail.ClearAsync();
        return message.ReplyTo.Mailboxes.Single().Address;
    }

    private static string Reply(string to, string body, string from = ProposedLead, string? autoSubmitted = null, string subject = "Re: Step down agreed") =>
        $"""
        From: Pat Early <{from}>
        To: {to}
        Subject: {subject}
        Message-ID: <{Guid.NewGuid():N}@partner.example>
        Date: {DateTimeOffset.UtcNow:r}
        {(autoSubmitted is null ? "" : $"Auto-Submitted: {autoSubmitted}\r\n")}Content-Type: text/plain; charset=utf-8

        {body}

        On Mon, 7 Dec 2026 at 09:00, Step Up / Step Down wrote:
        > Please reply to this email with Accept to take on the lead professional role for this child, or with Decline and your reason.
        > Child: Ada Lovelace

        """.ReplaceLineEndings("\r\n");

    private Task<IReadOnlyList<(string Kind, string Outcome)>> RepliesAsync() =>
        Worker.QueryAsync<(string, string)>("SELECT kind, outcome FROM stepupdown.handover_replies ORDER BY id");

    private async Task<IReadOnlyList<ReceivedMail>> MailTo(string address) =>
        (await Mail.GetMessagesAsync()).Where(m => m.To.Any(t => t.Address == address)).ToList();

    [Fact]
    public async Task AnAcceptByReply_TellsTheMasshWhoLeads_AsksTheTeamToRecordIt_AndTheLadderStopsChasingIt_UntilTheCaseSystemRecordsIt()
    {
        var replyTo = await AgreeAsync();
        var processedBefore = await imap.CountAsync(ReplyMailbox.ProcessedFolder);

        await imap.AppendAsync(Reply(replyTo, "Hi Grace,\r\n\r\nYes, I accept. Happy to take this on.\r\n\r\nPat"));
        await Worker.WaitUntilAsync(async () => (await MailTo(Massh)).Count == 1 && (await MailTo(TeamManager)).Count == 1, "the MASSH and the team manager are told");
        var massh = (await MailTo(Massh)).Single();
        var team = (await MailTo(TeamManager)).Single();
        var chased = await Worker.SweepOnAsync(DateTime.UtcNow.AddDays(28).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        using var viewer = new DashboardClient(Worker.BaseAddress);
        await viewer.SignInAsync("vera", ViewerPassword);
        var handoversPage = await (await viewer.GetPageAsync("/hangfire/handovers")).Content.ReadAsStringAsync();
        Feed.ServePage("c3", "c4", Agreed(4, "EH", accepted: true));
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();
        await Mail.ClearAsync();
        var recorded = await Worker.SweepOnAsync(DateTime.UtcNow.AddDays(29).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await Worker.WaitUntilAsync(async () => (await MailTo(Massh)).Any(m => m.Subject.Contains("Step down complete", StringComparison.OrdinalIgnoreCase)), "the MASSH hears the handover is complete");
        var completion = (await MailTo(Massh)).First(m => m.Subject.Contains("Step down complete", StringComparison.OrdinalIgnoreCase));
        var trail = (await Worker.Get<AuditTrails>().FindAsync(WorkerHarness.Source, "SC-1", null, CancellationToken.None))!;

        massh.Subject.ShouldContain("Lead role accepted by reply, to be recorded in the case system");
        massh.Text!.ShouldContain("Pat Early");
        team.Subject.ShouldStartWith("Please record it");
        team.Text!.ShouldContain("Please record in social-care that the proposed lead professional below accepted the lead role");
        (await RepliesAsync()).ShouldBe([("Accept", "Accepted")]);
        chased.Escalated.ShouldBe(0, "acceptance was the only item missing, and the proposed lead accepted by reply");
        handoversPage.ShouldContain("LeadAccepted (accepted by reply, to be recorded in the case system)");
        recorded.Completed.ShouldBe(1, "the case system now records the acceptance");
        completion.Text!.ShouldContain("They accepted by reply on");
        trail.Events.ShouldContain(e => e.What == "reply from the proposed lead: Accept" && e.State == "Accepted");
        trail.Events.ShouldContain(e => e.What == "handover closed" && e.State.Contains("the case system recorded the acceptance given by reply"));
        (await imap.CountAsync(ReplyMailbox.ProcessedFolder)).ShouldBe(processedBefore + 1);
        var log = await Worker.StopAndReadLogAsync();
        log.ShouldNotContain("Happy to take this on");
    }

    [Fact]
    public async Task ADeclineByReply_GoesToStage2AtOnce_WithTheReasonQuotedToTheManagersOnly()
    {
        var replyTo = await AgreeAsync();

        await imap.AppendAsync(Reply(replyTo, $"Decline, {DeclineWords}"));
        await Worker.WaitUntilAsync(async () => (await MailTo(AgencyManager)).Count == 1 && (await MailTo(TeamManager)).Count == 1, "stage 2 is sent");
        var agency = (await MailTo(AgencyManager)).Single();
        var team = (await MailTo(TeamManager)).Single();

        agency.Text!.ShouldContain("This is the escalation ladder's Stage 2: team manager and agency manager");
        agency.Text!.ShouldContain($"Their reason, in their own words: \"{DeclineWords}\"");
        team.Text!.ShouldContain(DeclineWords);
        (await MailTo(ProposedLead)).ShouldBeEmpty("nothing goes back to the proposed lead");
        (await MailTo(Massh)).ShouldBeEmpty("the partner's words go to the managers only");
        (await Worker.QueryScalarAsync<string>("SELECT decline_reason FROM stepupdown.handovers")).ShouldBe(DeclineWords);
        (await RepliesAsync()).ShouldBe([("Decline", "Declined")]);
        var again = await Worker.SweepOnAsync(DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        again.Escalated.ShouldBe(0, "the managers hear of the decline once");
    }

    [Fact]
    public async Task WhatIsNotTheProposedLeadsOwnAnswer_ChangesNothing_AndWhatNeedsAPersonIsListedWithoutNamesOrText()
    {
        var replyTo = await AgreeAsync();
        var forAPersonBefore = await imap.CountAsync(ReplyMailbox.ForAPersonFolder);
        var forged = replyTo[..(replyTo.IndexOf('@', StringComparison.Ordinal) - 4)] + "0000" + replyTo[replyTo.IndexOf('@', StringComparison.Ordinal)..];

        await imap.AppendAsync(Reply(replyTo, "Accept", from: "someone.else@partner.example"));
        await imap.AppendAsync(Reply(forged, "Accept"));
        await imap.AppendAsync(Reply(replyTo, "I am out of the office until Monday.", autoSubmitted: "auto-replied", subject: "Automatic reply: Step down agreed"));
        await imap.AppendAsync(Reply(replyTo, "Could you call me about this first?"));
        await Worker.WaitUntilAsync(async () => (await RepliesAsync()).Count == 4, "every reply is read");
        var acceptedBefore = await Worker.QueryScalarAsync<bool>("SELECT accepted_by_reply_at IS NOT NULL FROM stepupdown.handovers");
        await imap.AppendAsync(Reply(replyTo, "Accept"));
        await imap.AppendAsync(Reply(replyTo, "Accepted, thanks"));
        await Worker.WaitUntilAsync(async () => (await RepliesAsync()).Count == 6, "both Accepts are read");
        await Worker.WaitUntilAsync(async () => (await MailTo(Massh)).Count == 1, "the MASSH hears of the genuine Accept");
        var (_, readyToday) = await HealthTests.ReadyAsync(Worker);
        using var viewer = new DashboardClient(Worker.BaseAddress);
        await viewer.SignInAsync("vera", ViewerPassword);
        var page = await (await viewer.GetPageAsync("/hangfire" + RepliesPage.Route)).Content.ReadAsStringAsync();
        await Worker.QueryScalarAsync<int>("UPDATE stepupdown.handover_replies SET received_at = received_at - interval '7 days'");
        var (_, readyAWeekOn) = await HealthTests.ReadyAsync(Worker);

        acceptedBefore.ShouldBeFalse("no reply before the genuine Accept acted");
        (await RepliesAsync()).ShouldBe(
        [
            ("Accept", "NotTheProposedLead"), ("Accept", "UnknownHandover"), ("Automatic", "Ignored"), ("Unreadable", "Unreadable"),
            ("Accept", "Accepted"), ("Accept", "Repeated"),
        ]);
        (await MailTo(Massh)).Count.ShouldBe(1, "a second Accept changes nothing");
        (await imap.CountAsync(ReplyMailbox.ForAPersonFolder)).ShouldBe(forAPersonBefore + 3);
        page.ShouldContain("partner.example");
        page.ShouldContain("Not from the proposed lead");
        page.ShouldContain("The reply address names no handover of this service");
        page.ShouldNotContain("Pat Early");
        page.ShouldNotContain("someone.else");
        page.ShouldNotContain("call me");
        page.ShouldNotContain("Mark dealt with", customMessage: "a viewer cannot act");
        HealthTests.StatusOf(readyToday, "reply-mailbox").ShouldBe("Healthy");
        HealthTests.StatusOf(readyAWeekOn, "reply-mailbox").ShouldBe("Degraded", "replies have waited for a person for more than a working day");

        using var admin = new DashboardClient(Worker.BaseAddress);
        await admin.SignInAsync("ada", AdminPassword);
        foreach (var id in await Worker.QueryAsync<long>("SELECT id FROM stepupdown.handover_replies WHERE dealt_with_at IS NULL"))
        {
            var posted = await admin.SubmitFormAsync("/hangfire" + RepliesPage.Route, RepliesPage.DealtWithPath, new() { ["id"] = id.ToString(CultureInfo.InvariantCulture) });
            posted.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect);
        }

        var (_, readyDealtWith) = await HealthTests.ReadyAsync(Worker);
        HealthTests.StatusOf(readyDealtWith, "reply-mailbox").ShouldBe("Healthy");
        (await Worker.QueryAsync<string>("SELECT DISTINCT dealt_with_by FROM stepupdown.handover_replies WHERE outcome NOT IN ('Accepted', 'Repeated', 'Ignored')")).ShouldBe(["ada"]);
        (await viewer.PostAsync(RepliesPage.DealtWithPath)).StatusCode.ShouldNotBe(System.Net.HttpStatusCode.Redirect, "a viewer's post is refused");
    }

    /// <summary>
    /// A bulk-mail auto-responder (<c>Precedence: bulk</c>, no <c>Auto-Submitted</c>) changes nothing;
    /// an HTML-only reply whose address is only in <c>Delivered-To</c> (the lead replied to a copy
    /// sent to a group) is read from its own words, not the quoted pack below them.
    /// </summary>
    [Fact]
    public async Task AnAutoResponderIsIgnored_AndAnHtmlOnlyReplyIsReadAboveItsQuote_ByTheAddressItWasDeliveredTo()
    {
        var replyTo = await AgreeAsync();
        var bulk = Reply(replyTo, "Decline").Replace("Content-Type:", "Precedence: bulk\r\nContent-Type:", StringComparison.Ordinal);
        var html = $"""
            From: Pat Early <{ProposedLead}>
            To: early-help-team@partner.example
            Delivered-To: {replyTo}
            Subject: Re: Step down agreed
            Message-ID: <{Guid.NewGuid():N}@partner.example>
            Content-Type: text/html; charset=utf-8

            <html><body><p>Accept</p><p>Pat</p><blockquote><p>Please reply with Accept, or with Decline and your reason.</p></blockquote></body></html>

            """.ReplaceLineEndings("\r\n");

        await imap.AppendAsync(bulk);
        await imap.AppendAsync(html);
        await Worker.WaitUntilAsync(async () => (await RepliesAsync()).Count == 2, "both replies are read");

        (await RepliesAsync()).ShouldBe([("Automatic", "Ignored"), ("Accept", "Accepted")]);
    }

    [Fact]
    public async Task WhatTheReplyMailboxFiled_IsPurgedWithTheLedgerAndTheQuarantine_ByWhenItArrived()
    {
        var now = DateTimeOffset.UtcNow;
        await Worker.WaitUntilAsync(() => Task.FromResult(Worker.Get<ReplyMailboxStatus>().Last is { Error: null }), "the reply mailbox has been read once: its folders exist");
        await imap.AppendAsync(Reply("stepupdown-replies+x@example-council.gov.uk", "Accept"), ReplyMailbox.ProcessedFolder, now.AddDays(-400));
        await imap.AppendAsync(Reply("stepupdown-replies+x@example-council.gov.uk", "Accept"), ReplyMailbox.ProcessedFolder, now.AddDays(-300));
        await imap.AppendAsync(Reply("stepupdown-replies+x@example-council.gov.uk", "Call me"), ReplyMailbox.ForAPersonFolder, now.AddDays(-100));
        await imap.AppendAsync(Reply("stepupdown-replies+x@example-council.gov.uk", "Call me"), ReplyMailbox.ForAPersonFolder, now.AddDays(-80));
        await Worker.QueryScalarAsync<int>(
            "INSERT INTO stepupdown.handover_replies (message_hash, received_at, kind, outcome, from_proposed_lead) VALUES ('old', now() - interval '100 days', 'Accept', 'UnknownHandover', false), ('new', now() - interval '80 days', 'Accept', 'UnknownHandover', false)");
        var (processed, forAPerson) = (await imap.CountAsync(ReplyMailbox.ProcessedFolder), await imap.CountAsync(ReplyMailbox.ForAPersonFolder));

        var purged = await Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<StepUpDown.Integration.Retention.RetentionPurge>(
            Worker.App.Services, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now)).PurgeAsync(CancellationToken.None);

        purged.MailboxMessages.ShouldBe(2, "a reply older than the ledger's 365 days, one for a person older than the quarantine's 90");
        (await imap.CountAsync(ReplyMailbox.ProcessedFolder)).ShouldBe(processed - 1);
        (await imap.CountAsync(ReplyMailbox.ForAPersonFolder)).ShouldBe(forAPerson - 1);
        (await Worker.QueryAsync<string>("SELECT message_hash FROM stepupdown.handover_replies")).ShouldBe(["new"]);
    }
}
