using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StepUpDown.Integration.CaseFeeds;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Integration.Tests.Worker;
using WireMock.ResponseBuilders;

namespace StepUpDown.Integration.Tests.CaseFeeds;

/// <summary>
/// A quarantined record is a child the worker cannot see, so it is never silent (design:
/// Quarantine is never silent): the dashboard lists it by source and case id, readiness is
/// Degraded while one waits more than a working day, and the MASSH is sent one list a day of the
/// case ids, never what the records held. A later readable version resolves it.
/// </summary>
public sealed class QuarantineVisibilityTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string ViewerPassword = "viewer password for tests";
    private const string Massh = "massh@example-council.gov.uk";

    protected override void Adjust(Dictionary<string, string?> settings) =>
        Dashboard.DashboardClient.AddAccount(settings, "vera", ViewerPassword, "viewer");

    private QuarantineList ListAt(string instant) =>
        ActivatorUtilities.CreateInstance<QuarantineList>(Worker.App.Services, new FakeTimeProvider(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)));

    private void ServeRaw(string? since, string nextCursor, params string[] items) =>
        Feed.Serve(since, Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
            .WithBody($$"""{"items":[{{string.Join(",", items)}}],"nextCursor":"{{nextCursor}}","hasMore":false}"""));

    private static string Json(object record) => System.Text.Json.JsonSerializer.Serialize(record);

    [Fact]
    public async Task AQuarantinedRecord_IsListedOnTheDashboard_DegradesReadinessAfterAWorkingDay_AndIsSentToTheMassh_AsIdsOnce()
    {
        var unmapped = Children.Record("SC-2", "NOT-A-LEVEL", 1, given: "Zebedee", nhsNumber: Children.NhsNumberFor(2));
        ServeRaw(null, "c0", Json(Children.Record("SC-1", "EH", 1)), Json(unmapped), """{"childId":"SC-3","dateOfBirth":"not a date"}""");
        await Worker.PollAsync();
        var first = await ListAt("2026-11-16T07:00:00Z").SendAsync(CancellationToken.None);

        using var viewer = new Dashboard.DashboardClient(Worker.BaseAddress);
        await viewer.SignInAsync("vera", ViewerPassword);
        var page = await (await viewer.GetPageAsync("/hangfire/quarantine")).Content.ReadAsStringAsync();
        var (_, readyToday) = await HealthTests.ReadyAsync(Worker);
        await Worker.QueryScalarAsync<int>("UPDATE stepupdown.quarantined_records SET received_at = received_at - interval '7 days'");
        var (_, readyAWeekOn) = await HealthTests.ReadyAsync(Worker);
        var again = await ListAt("2026-11-16T18:00:00Z").SendAsync(CancellationToken.None);
        var list = (await Mail.WaitForMessagesAsync(1)).Where(m => m.Subject.Contains("check by hand", StringComparison.Ordinal)).ToList();

        first.ShouldBeTrue();
        again.ShouldBeFalse("one list a day");
        page.ShouldContain("SC-2");
        page.ShouldContain("levelOfNeed code");
        page.ShouldContain("SC-3");
        page.ShouldNotContain("Zebedee", Case.Sensitive, "source, case id and reason only");
        HealthTests.StatusOf(readyToday, "quarantine").ShouldBe("Healthy");
        HealthTests.StatusOf(readyAWeekOn, "quarantine").ShouldBe("Degraded", "two children nobody can see, for more than a working day");
        var sent = list.ShouldHaveSingleItem();
        sent.To.Single().Address.ShouldBe(Massh);
        sent.Subject.ShouldContain("2 set aside");
        foreach (var part in new[] { sent.Text!, sent.Html! })
        {
            part.ShouldContain("SC-2");
            part.ShouldContain("SC-3");
            part.ShouldNotContain("SC-1", Case.Sensitive, "it was read");
            part.ShouldNotContain("Zebedee", Case.Sensitive, "ids only");
        }
    }

    [Fact]
    public async Task AReadableVersion_ResolvesTheQuarantine_AndNoListIsSentWhileNoneIsSetAside()
    {
        ServeRaw(null, "c0", Json(Children.Record("SC-2", "NOT-A-LEVEL", 1)));
        await Worker.PollAsync();
        Feed.ServePage("c0", "c1", Children.Record("SC-2", "EH", 2));
        await Worker.PollAsync();

        var sent = await ListAt("2026-11-16T07:00:00Z").SendAsync(CancellationToken.None);
        var (_, ready) = await HealthTests.ReadyAsync(Worker);

        sent.ShouldBeFalse();
        (await Worker.QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.quarantined_records")).ShouldBe(0);
        HealthTests.StatusOf(ready, "quarantine").ShouldBe("Healthy");
        (await Mail.GetMessagesAsync()).ShouldNotContain(m => m.Subject.Contains("check by hand", StringComparison.Ordinal));
    }
}
