using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using StepUpDown.Integration.Storage;
using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Worker;

[Collection(IntegrationCollection.Name)]
public sealed class HealthTests(MailDevFixture mail)
{
    internal static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(WorkerHarness worker)
    {
        using var http = new HttpClient { BaseAddress = worker.BaseAddress };
        using var response = await http.GetAsync("/health/ready");
        return (response.StatusCode, JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync()));
    }

    internal static string StatusOf(JsonElement body, string check) => body.GetProperty("checks").GetProperty(check).GetProperty("status").GetString()!;

    /// <summary>A cluster of the test's own (this test stops it), removed afterwards.</summary>
    private static async Task OnOwnClusterAsync(Func<EmbeddedPostgres, Task> test)
    {
        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"sud-h-{Guid.NewGuid():N}"[..14])).FullName;
        var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = Path.Combine(root, "data") }, NullLogger.Instance, CancellationToken.None);
        try
        {
            await test(cluster);
        }
        finally
        {
            await cluster.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public Task Ready_WhenPostgreSqlStops_Answers503_WhileLiveStillAnswers() => OnOwnClusterAsync(async cluster =>
    {
        await using var worker = await WorkerHarness.StartAsync(cluster.ConnectionString, "http://127.0.0.1:9/", mail);
        var (before, beforeBody) = await ReadyAsync(worker);

        await cluster.DisposeAsync();
        var (after, afterBody) = await ReadyAsync(worker);
        using var http = new HttpClient { BaseAddress = worker.BaseAddress };
        var live = await http.GetAsync("/health/live");

        before.ShouldBe(HttpStatusCode.OK);
        StatusOf(beforeBody, "database").ShouldBe("Healthy");
        StatusOf(beforeBody, "mail").ShouldBe("Healthy");
        StatusOf(beforeBody, "case-feeds").ShouldBe("Degraded", "the source has not been polled yet");
        beforeBody.GetProperty("checks").GetProperty("case-feeds").GetProperty("description").GetString().ShouldBe("social-care never polled.");
        after.ShouldBe(HttpStatusCode.ServiceUnavailable);
        StatusOf(afterBody, "database").ShouldBe("Unhealthy");
        live.StatusCode.ShouldBe(HttpStatusCode.OK);
    });

    [Fact]
    public Task Ready_WithABankHolidayCalendarThatHasRunOut_IsDegraded() => OnOwnClusterAsync(async cluster =>
    {
        var calendar = Path.Combine(Path.GetTempPath(), $"sud-bank-holidays-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(calendar, $$$"""{"england-and-wales": {"events": [{"date": "{{{DateTime.UtcNow.Year - 1}}}-12-25"}]}}""");
        try
        {
            await using var worker = await WorkerHarness.StartAsync(cluster.ConnectionString, null, mail, s => s["Handovers:CalendarFile"] = calendar);

            var (_, body) = await ReadyAsync(worker);

            StatusOf(body, "bank-holidays").ShouldBe("Degraded", "the calendar ended last year");
            StatusOf(body, "database").ShouldBe("Healthy");
        }
        finally
        {
            File.Delete(calendar);
        }
    });

    [Theory]
    [InlineData(null, HttpStatusCode.OK)]
    [InlineData("299", (HttpStatusCode)299)] // Health:DegradedStatusCode, for a monitor that only sees status codes
    public Task Ready_WithTheSmtpRelayDown_IsDegradedNotUnready(string? degradedStatusCode, HttpStatusCode expected) => OnOwnClusterAsync(async cluster =>
    {
        await using var worker = await WorkerHarness.StartAsync(cluster.ConnectionString, null, mail, s =>
        {
            s["Mail:Smtp:Port"] = MailDevFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (degradedStatusCode is not null)
            {
                s["Health:DegradedStatusCode"] = degradedStatusCode;
            }
        });

        var (status, body) = await ReadyAsync(worker);

        status.ShouldBe(expected);
        StatusOf(body, "mail").ShouldBe("Degraded");
        body.GetProperty("status").GetString().ShouldBe("Degraded");
    });

    [Fact]
    public Task Ready_ProbedAgainAndAgain_AsksTheSmtpRelayOnce() => OnOwnClusterAsync(async cluster =>
    {
        using var relay = ScriptedSmtpServer.Rejecting();
        await using var worker = await WorkerHarness.StartAsync(
            cluster.ConnectionString, null, mail, s => s["Mail:Smtp:Port"] = relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var bodies = new List<JsonElement>();
        for (var probe = 0; probe < 5; probe++)
        {
            bodies.Add((await ReadyAsync(worker)).Body);
        }

        bodies.ShouldAllBe(body => StatusOf(body, "mail") == "Healthy");
        relay.Connections.ShouldBe(1);
    });

    [Fact]
    public Task Ready_WithANotificationWaitingLong_IsDegraded_AndSaysHowMany() => OnOwnClusterAsync(async cluster =>
    {
        using var feed = new FeedServer();
        await using var worker = await WorkerHarness.StartAsync(
            cluster.ConnectionString, feed.Url, mail, s => s["Mail:Smtp:Port"] = MailDevFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2));
        await worker.PollAsync();
        await worker.PollAsync();
        var (_, fresh) = await ReadyAsync(worker);

        await worker.QueryScalarAsync<int>("UPDATE stepupdown.notifications SET created_at = created_at - interval '2 hours'");
        var (status, stale) = await ReadyAsync(worker);

        StatusOf(fresh, "notifications").ShouldBe("Healthy");
        status.ShouldBe(HttpStatusCode.OK);
        StatusOf(stale, "notifications").ShouldBe("Degraded");
        stale.GetProperty("checks").GetProperty("notifications").GetProperty("description").GetString()
            .ShouldStartWith("2 notifications waiting, the oldest for 12");
    });
}
