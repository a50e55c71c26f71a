using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.SsdFeed;
using StepUpDown.SsdFeed.ChangeLog;
using static StepUpDown.Integration.Tests.SsdFeed.SsdFeedServer;

namespace StepUpDown.Integration.Tests.SsdFeed;

/// <summary>
/// The SSD feed against the dataset's own tables in a real PostgreSQL (issue 31): changes from
/// snapshots, the cursor, a half-loaded reload refused, and what it serves held to the contract.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class SsdFeedTests(PostgresFixture postgres)
{
    private static readonly OpenApiSchemas Contract = OpenApiSchemas.Load("case-feed.v1.yaml");

    /// <summary>Twenty families stepped down to early help two years ago, one in need with a plan, one on a CP plan, one whose referral was NFA.</summary>
    public static string County() => $"""
        INSERT INTO ssd.ssd_department VALUES ('T-1', 'Children in Need Team 1', NULL, NULL);
        INSERT INTO ssd.ssd_professionals VALUES ('W-1', 'S-1', 'Alex Fieldworker', 'Social worker', NULL), ('W-2', 'S-2', 'Pat Early', 'Family support worker', NULL);
        INSERT INTO ssd.ssd_person SELECT 'EH-' || n, 'Child', 'Number ' || n, '2015-01-01', NULL, NULL, NULL FROM generate_series(1, 20) n;
        INSERT INTO ssd.ssd_early_help_episodes SELECT 'E-' || n, 'EH-' || n, {DaysAgo(700)}, NULL, NULL, NULL, 'T-EH', 'W-2' FROM generate_series(1, 20) n;
        INSERT INTO ssd.ssd_cin_episodes SELECT 'R-EH-' || n, 'EH-' || n, {DaysAgo(900)}, {DaysAgo(701)}, 'RC9', 'N', 'T-1', 'W-1' FROM generate_series(1, 20) n;
        INSERT INTO ssd.ssd_person VALUES
            ('CIN-1', 'Amira', 'Example', '2016-04-02', '9434765919', NULL, NULL),
            ('CP-1', 'Ben', 'Example', '2013-09-15', NULL, NULL, NULL),
            ('NFA-1', 'Cara', 'Example', '2019-01-20', NULL, NULL, NULL),
            ('NONE-1', 'Dev', 'Example', '2011-06-30', NULL, NULL, NULL);
        INSERT INTO ssd.ssd_linked_identifiers VALUES ('L-1', 'CP-1', 'NHS Number', '9434765870', '2020-01-01', NULL);
        INSERT INTO ssd.ssd_cin_episodes VALUES
            ('R-1', 'CIN-1', {DaysAgo(90)}, NULL, NULL, 'N', 'T-1', 'W-1'),
            ('R-2', 'CP-1', {DaysAgo(200)}, NULL, NULL, 'N', 'T-1', 'W-1'),
            ('R-3', 'NFA-1', {DaysAgo(30)}, {DaysAgo(28)}, 'RC8', 'Y', 'T-1', 'W-1');
        INSERT INTO ssd.ssd_cin_plans VALUES ('CINP-1', 'R-1', 'CIN-1', {DaysAgo(60)}, NULL, 'T-1', 'W-1');
        INSERT INTO ssd.ssd_cp_plans VALUES ('CPP-1', 'R-2', 'CP-1', {DaysAgo(50)}, NULL, 'Neglect', 'Emotional abuse');
        INSERT INTO ssd.ssd_cp_reviews VALUES ('REV-1', 'CP-1', 'CPP-1', '{Today.AddDays(40):yyyy-MM-dd}', NULL);
        """;

    [Fact]
    public async Task EveryPersonWithAnEpisode_IsServedOnce_AndAnUnchangedRefreshAppendsNothing()
    {
        await using var feed = await StartAsync(postgres, County());

        var (items, cursor) = await feed.ReadAllAsync(limit: 7);
        var again = await feed.RefreshAsync();
        var (after, cursorAfter) = await feed.ReadAllAsync(cursor);

        items.Select(i => i.GetProperty("childId").GetString()).Order().ShouldBe(
            [.. Enumerable.Range(1, 20).Select(n => $"EH-{n}"), "CIN-1", "CP-1", "NFA-1"], ignoreOrder: true, "NONE-1 never had an episode");
        items.ShouldAllBe(i => i.GetProperty("version").GetInt64() == 1);
        var cp = items.Single(i => i.GetProperty("childId").GetString() == "CP-1");
        cp.GetProperty("levelOfNeed").GetString().ShouldBe("CP");
        cp.GetProperty("nhsNumber").GetString().ShouldBe("9434765870");
        cp.GetProperty("plan").GetProperty("summary").GetString().ShouldBe("Child protection plan; category: Emotional abuse.");
        items.Single(i => i.GetProperty("childId").GetString() == "NFA-1").GetProperty("closureReason").GetString().ShouldBe("no-further-action");
        again.Outcome.ShouldBe(RefreshRecord.Served);
        again.Changed.ShouldBe(0);
        after.ShouldBeEmpty();
        cursorAfter.ShouldBe(cursor);
    }

    [Fact]
    public async Task AFamilyWhoseEpisodesChange_IsServedAgainAtItsNextVersion_AndOnlyItsLatestRecordStays()
    {
        await using var feed = await StartAsync(postgres, County());
        var (_, cursor) = await feed.ReadAllAsync();

        await feed.ExecuteAsync($"INSERT INTO ssd.ssd_cin_episodes VALUES ('R-9', 'EH-7', {DaysAgo(3)}, NULL, NULL, 'N', 'T-1', 'W-1'); INSERT INTO ssd.ssd_cin_plans VALUES ('CINP-9', 'R-9', 'EH-7', {DaysAgo(2)}, NULL, 'T-1', 'W-1');");
        var stepUp = await feed.RefreshAsync();
        await feed.ExecuteAsync($"UPDATE ssd.ssd_cin_plans SET cinp_cin_plan_end_date = {DaysAgo(2)} WHERE cinp_cin_plan_id = 'CINP-9'; UPDATE ssd.ssd_cin_episodes SET cine_close_date = {DaysAgo(2)}, cine_close_reason = 'RC9' WHERE cine_referral_id = 'R-9';");
        var stepDown = await feed.RefreshAsync();
        var (changes, _) = await feed.ReadAllAsync(cursor);
        var (everything, _) = await feed.ReadAllAsync();
        var one = await feed.Client.GetFromJsonAsync<JsonElement>("api/v1/children/EH-7");

        stepUp.Changed.ShouldBe(1);
        stepDown.Changed.ShouldBe(1);
        changes.Select(c => (c.GetProperty("childId").GetString(), c.GetProperty("version").GetInt64(), c.GetProperty("levelOfNeed").GetString()))
            .ShouldBe([("EH-7", 3L, "EH")], "the record at version 2 was superseded, and a reader from the old cursor gets the latest");
        everything.Count(i => i.GetProperty("childId").GetString() == "EH-7").ShouldBe(1);
        one.GetProperty("version").GetInt64().ShouldBe(3);
        (await feed.Client.GetAsync("api/v1/children/NONE-1")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AHalfLoadedDataset_IsRefused_TheLastGoodStateServed_UntilAnOperatorAccepts()
    {
        await using var feed = await StartAsync(postgres, County());
        var (_, cursor) = await feed.ReadAllAsync();

        await feed.ExecuteAsync("TRUNCATE ssd.ssd_early_help_episodes"); // the nightly reload, caught half way
        var refused = await feed.RefreshAsync();
        var ready = await feed.Client.GetFromJsonAsync<JsonElement>("health/ready");
        var (whileRefused, _) = await feed.ReadAllAsync(cursor);
        await feed.App.Services.GetRequiredService<ChangeLog>().AcceptNextRefreshAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var accepted = await feed.RefreshAsync();
        var (afterAccepting, _) = await feed.ReadAllAsync(cursor);

        refused.Outcome.ShouldBe(RefreshRecord.Refused);
        refused.Closing.ShouldBe(20);
        refused.Detail.ShouldNotBeNull().ShouldContain("SsdFeed:MaxClosingShare");
        ready.GetProperty("status").GetString().ShouldBe("Degraded");
        whileRefused.ShouldBeEmpty();
        accepted.Outcome.ShouldBe(RefreshRecord.Served);
        afterAccepting.Count.ShouldBe(20);
        afterAccepting.ShouldAllBe(i => i.GetProperty("status").GetString() == "closed");
    }

    [Fact]
    public async Task AReloadThatPasses_AfterARefusal_IsServed_WithoutAnOperator()
    {
        await using var feed = await StartAsync(postgres, County());

        await feed.ExecuteAsync("ALTER TABLE ssd.ssd_early_help_episodes RENAME TO eh_reloading; CREATE TABLE ssd.ssd_early_help_episodes (LIKE ssd.eh_reloading);");
        var refused = await feed.RefreshAsync();
        await feed.ExecuteAsync("DROP TABLE ssd.ssd_early_help_episodes; ALTER TABLE ssd.eh_reloading RENAME TO ssd_early_help_episodes;");
        var passed = await feed.RefreshAsync();

        refused.Outcome.ShouldBe(RefreshRecord.Refused);
        passed.Outcome.ShouldBe(RefreshRecord.Served);
        passed.Changed.ShouldBe(0);
        (await feed.Client.GetFromJsonAsync<JsonElement>("health/ready")).GetProperty("status").GetString().ShouldBe("Healthy");
    }

    [Fact]
    public async Task PersonsWhoVanishFromTheDataset_CountAgainstTheShare_AndAreNeverAnnounced()
    {
        await using var feed = await StartAsync(postgres, County());
        var (_, cursor) = await feed.ReadAllAsync();

        await feed.ExecuteAsync("DELETE FROM ssd.ssd_cin_episodes WHERE cine_person_id LIKE 'EH-%'; TRUNCATE ssd.ssd_early_help_episodes;");
        var refused = await feed.RefreshAsync();
        await feed.App.Services.GetRequiredService<ChangeLog>().AcceptNextRefreshAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var accepted = await feed.RefreshAsync();
        var next = await feed.RefreshAsync();
        var (afterAccepting, _) = await feed.ReadAllAsync(cursor);

        refused.Outcome.ShouldBe(RefreshRecord.Refused);
        refused.Closing.ShouldBe(20, "twenty open persons are no longer in the dataset at all");
        accepted.Outcome.ShouldBe(RefreshRecord.Served);
        (next.Outcome, next.Closing).ShouldBe((RefreshRecord.Served, 0), "once accepted, those who vanished are no longer counted as open");
        afterAccepting.ShouldBeEmpty("a closure for a person who vanished would be a guess");
    }

    [Fact]
    public async Task ADatasetThatCannotBeRead_FailsTheRefresh_NamingTheErrorCodeOnly()
    {
        await using var feed = await StartAsync(postgres, County());

        await feed.ExecuteAsync("DROP TABLE ssd.ssd_cp_reviews");
        var failed = await feed.RefreshAsync();

        failed.Outcome.ShouldBe(RefreshRecord.Failed);
        failed.Detail.ShouldBe("the dataset could not be read (error 42P01)");
        (await feed.Client.GetFromJsonAsync<JsonElement>("health/ready")).GetProperty("status").GetString().ShouldBe("Degraded");
    }

    [Fact]
    public async Task TheCursor_IsThisLogs_AndTheKeyIsRequired()
    {
        await using var feed = await StartAsync(postgres, County());
        var cursor = (await feed.ReadAllAsync()).Cursor.ShouldNotBeNull();
        var otherLog = "0123456789abcdef0123456789abcdef" + cursor[cursor.IndexOf('.', StringComparison.Ordinal)..];
        using var anonymous = new HttpClient { BaseAddress = new Uri(feed.Url) };
        using var wrongKey = new HttpClient { BaseAddress = new Uri(feed.Url) };
        wrongKey.DefaultRequestHeaders.Add("X-Api-Key", "not-the-key-at-all-0000");
        using var bearer = new HttpClient { BaseAddress = new Uri(feed.Url) };
        bearer.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);

        (await feed.Client.GetAsync($"api/v1/children/changes?since={otherLog}")).StatusCode.ShouldBe(HttpStatusCode.Gone);
        (await feed.Client.GetAsync($"api/v1/children/changes?since={cursor.Split('.')[0]}.999999")).StatusCode.ShouldBe(HttpStatusCode.Gone);
        (await feed.Client.GetAsync("api/v1/children/changes?since=garbage")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await feed.Client.GetAsync("api/v1/children/changes?limit=1001")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await anonymous.GetAsync("api/v1/children/changes")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await wrongKey.GetAsync("api/v1/children/CIN-1")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await bearer.GetAsync("api/v1/children/changes")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WhatItServes_NamesOnlyFieldsOfTheContract_WithEveryRequiredOne()
    {
        await using var feed = await StartAsync(postgres, County() + """
            CREATE TABLE ssd.gp_registrations (person_id text, ods_code text, practice_name text);
            INSERT INTO ssd.gp_registrations VALUES ('CIN-1', 'Y00001', 'Riverside Medical Practice (fictional)');
            CREATE TABLE ssd.step_downs (person_id text, agreed_on date, forum text, proposed_worker_id text, family_consent boolean,
                smart_plan_updated_on date, plan_shared_on date, disagreement text, withdrawn_on date);
            INSERT INTO ssd.step_downs VALUES ('CIN-1', CURRENT_DATE - 1, 'tac-meeting', 'S-2', true, NULL, NULL, NULL, NULL);
            """, settings =>
        {
            settings["SsdFeed:GpPracticeQuery"] = "SELECT person_id, ods_code, practice_name FROM ssd.gp_registrations";
            settings["SsdFeed:StepDownQuery"] = "SELECT * FROM ssd.step_downs;";
        });

        var (items, _) = await feed.ReadAllAsync();

        var full = items.Single(i => i.GetProperty("childId").GetString() == "CIN-1");
        full.GetProperty("gpPractice").GetProperty("odsCode").GetString().ShouldBe("Y00001");
        full.GetProperty("stepDown").GetProperty("proposedLeadProfessional").GetProperty("name").GetString().ShouldBe("Pat Early");
        foreach (var item in items)
        {
            Contract.ServedDifferences("ChildRecord", item).ShouldBeEmpty();
        }
    }

    [Theory]
    [InlineData("SsdFeed:Provider", "oracle", "SsdFeed:Provider")]
    [InlineData("SsdFeed:Schema", "ssd; DROP TABLE x", "SsdFeed:Schema")]
    [InlineData("SsdFeed:RefreshCron", "every night", "SsdFeed:RefreshCron")]
    [InlineData("SsdFeed:MaxClosingShare", "1.5", "SsdFeed:MaxClosingShare")]
    [InlineData("SsdFeed:ApiKeys:worker", "short", "SsdFeed:ApiKeys:worker")]
    [InlineData("SsdFeed:ApiKeys:worker", null, "SsdFeed:ApiKeys")]
    [InlineData("SsdFeed:Directory:File", "/nowhere/staff.csv", "SsdFeed:Directory:File")]
    public async Task ABadSetting_StopsStartUp_NamingItsKey(string key, string? value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SsdFeed:ConnectionString"] = "Host=127.0.0.1;Database=never-opened",
            ["SsdFeed:StateConnectionString"] = "Host=127.0.0.1;Database=never-opened",
            ["SsdFeed:ApiKeys:worker"] = ApiKey,
            [key] = value,
        };

        var error = await Should.ThrowAsync<OptionsValidationException>(() => SsdFeedHost.CreateAsync([], settings));

        error.Message.ShouldContain(named);
    }
}
