using System.Net;
using System.Net.Http.Json;
using StepUpDown.Integration.Tests.Dashboard;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Worker.Api;

namespace StepUpDown.Integration.Tests.Api;

/// <summary>
/// "Who leads now", as the MASSH asks it over HTTP of the running worker, for a child known to
/// social care and early help under two ids (linked by the NHS number).
/// </summary>
public sealed class LeadLookupTests(PostgresFixture postgres, MailDevFixture mail) : TwoSourceTest(postgres, mail)
{
    private const string ApiKey = "massh-key-0123456789-0123456789-0123456789";

    protected override void Adjust(Dictionary<string, string?> settings)
    {
        settings["Dashboard:ApiKeys:massh"] = ApiKey;
        DashboardClient.AddAccount(settings, "vera", "viewer password for tests", "viewer");
    }

    private static Dictionary<string, object?> EarlyHelpRecord(long version)
    {
        var record = Children.Record("EH-1", "EH", version);
        record["leadProfessional"] = new { name = "Pat Early", role = "Family support worker", agency = "early-help", email = "pat.early@council.example", acceptedOn = "2026-11-19" };
        return record;
    }

    private async Task<HttpResponseMessage> AskAsync(string query, string? key = ApiKey)
    {
        using var http = new HttpClient { BaseAddress = Worker.BaseAddress };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return await http.GetAsync($"/api/v1/lead-professional?{query}");
    }

    [Fact]
    public async Task TheHighestOpenRecordLeads_AcrossTwoSystems_AndWhenSocialCareClosesTheEarlyHelpLeadDoes()
    {
        await AdoptAsync([Children.Record("SC-1", "CIN", 1)], [EarlyHelpRecord(1)]);

        var bothOpen = await (await AskAsync("source=early-help&id=EH-1")).Content.ReadFromJsonAsync<LeadAnswer>();
        SocialCareFeed.ServePage("s1", "s2", Children.Record("SC-1", "CIN", 2, status: "closed"));
        await Worker.PollAsync();
        var afterClosure = await (await AskAsync("nhsNumber=943 476 5919")).Content.ReadFromJsonAsync<LeadAnswer>();

        bothOpen.ShouldNotBeNull();
        (bothOpen.Source, bothOpen.ChildId, bothOpen.Level, bothOpen.Lead!.Name, bothOpen.Accepted).ShouldBe(("social-care", "SC-1", "Child in need", "Grace Hopper", false));
        bothOpen.Records.Select(r => (r.Source, r.ChildId, r.Open)).ShouldBe([("early-help", "EH-1", true), ("social-care", "SC-1", true)], ignoreOrder: true);
        afterClosure.ShouldNotBeNull();
        (afterClosure.Source, afterClosure.Lead!.Name, afterClosure.Accepted, afterClosure.Since, afterClosure.CaseOpen)
            .ShouldBe(("early-help", "Pat Early", true, new DateOnly(2026, 11, 19), true));
    }

    [Fact]
    public async Task EveryLookup_IsRecordedWithWhoAskedAndWhen_ShownInTheChildsAuditTrail_AndACallerIsLimitedPerMinute()
    {
        await using var worker = await WorkerHarness.StartAsync(await Postgres.CreateDatabaseAsync(), SocialCareFeed.Url, Mail, settings =>
        {
            settings["Dashboard:ApiKeys:massh"] = ApiKey;
            settings["Dashboard:LookupsPerMinute"] = "3";
        });
        SocialCareFeed.ServePage(null, "s1", Children.Record("SC-1", "CIN", 1));
        await worker.PollAsync();
        using var http = new HttpClient { BaseAddress = worker.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);

        var answers = new List<HttpStatusCode>();
        foreach (var query in new[] { "source=social-care&id=SC-1", "nhsNumber=9434765919", "source=social-care&id=SC-404", "source=social-care&id=SC-1" })
        {
            answers.Add((await http.GetAsync($"/api/v1/lead-professional?{query}")).StatusCode);
        }

        var trail = (await worker.Get<StepUpDown.Integration.Monitoring.AuditTrails>().FindAsync("social-care", "SC-1", null, CancellationToken.None))!;

        answers.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], "three a minute for this caller");
        trail.Events.Where(e => e.What.StartsWith("lead looked up", StringComparison.Ordinal)).Select(e => (e.What, e.State))
            .ShouldBe([("lead looked up by api-key:massh", "answered"), ("lead looked up by api-key:massh", "answered")], "by id and by NHS number, each recorded against the record answered from");
        (await worker.QueryAsync<(string Caller, string? ChildId, bool Answered)>("SELECT caller, child_id, answered FROM stepupdown.lookups ORDER BY id"))
            .ShouldBe([("api-key:massh", "SC-1", true), ("api-key:massh", "SC-1", true), ("api-key:massh", "SC-404", false)], "the NHS number asked by is never stored");
    }

    [Fact]
    public async Task OnlyASignedInViewerOrAConfiguredKeyMayAsk_AndAnUnknownChildIsNotFound()
    {
        await AdoptAsync([Children.Record("SC-1", "CIN", 1)], []);
        using var viewer = new DashboardClient(Worker.BaseAddress);
        await viewer.SignInAsync("vera", "viewer password for tests");

        (await AskAsync("source=social-care&id=SC-1", key: null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await AskAsync("source=social-care&id=SC-1", key: "massh-key-0123456789-0123456789-wrong-one")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await viewer.GetPageAsync("/api/v1/lead-professional?source=social-care&id=SC-1")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await AskAsync("source=social-care&id=SC-404")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await AskAsync("source=social-care")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AnNhsNumberTwoChildrenShareInOneSystem_IdentifiesNobody_WhileEachIdStillAnswers()
    {
        await AdoptAsync([Children.Record("SC-1", "CIN", 1), Children.Record("SC-2", "CP", 1)], []);

        var byNumber = await AskAsync("nhsNumber=9434765919");
        var byId = await (await AskAsync("source=social-care&id=SC-2")).Content.ReadFromJsonAsync<LeadAnswer>();

        byNumber.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await byNumber.Content.ReadAsStringAsync()).ShouldContain("identifies nobody");
        byId.ShouldNotBeNull();
        (byId.ChildId, byId.Level).ShouldBe(("SC-2", "Child protection"));
        byId.Records.Select(r => r.ChildId).ShouldBe(["SC-2"], "a shared number links nobody");
    }

    [Fact]
    public async Task ANumberTwoChildrenShareInAnotherSystem_LinksNeitherToTheChildAskedFor()
    {
        // Early help holds the number once; social care holds it on two children. Which of them is
        // EH-1 nobody can say: asked by either id, the answer names that record alone.
        await AdoptAsync([Children.Record("SC-1", "CIN", 1), Children.Record("SC-2", "CP", 1)], [EarlyHelpRecord(1)]);

        var earlyHelp = await (await AskAsync("source=early-help&id=EH-1")).Content.ReadFromJsonAsync<LeadAnswer>();
        var socialCare = await (await AskAsync("source=social-care&id=SC-1")).Content.ReadFromJsonAsync<LeadAnswer>();

        earlyHelp.ShouldNotBeNull();
        (earlyHelp.ChildId, earlyHelp.Lead!.Name).ShouldBe(("EH-1", "Pat Early"), "not the lead of an arbitrary social-care child");
        earlyHelp.Records.Select(r => r.ChildId).ShouldBe(["EH-1"]);
        socialCare.ShouldNotBeNull();
        socialCare.Records.Select(r => r.ChildId).ShouldBe(["SC-1"]);
    }

    [Theory]
    [InlineData("0000000000")]
    [InlineData("9434765918")]
    public async Task ANumberThatIdentifiesNobody_IsRefused_NotAnsweredWithAnArbitraryChild(string number)
    {
        await AdoptAsync([Children.Record("SC-1", "CIN", 1, nhsNumber: number)], []);

        var answer = await AskAsync($"nhsNumber={number}");

        answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await answer.Content.ReadAsStringAsync()).ShouldNotContain("Grace Hopper");
    }
}
