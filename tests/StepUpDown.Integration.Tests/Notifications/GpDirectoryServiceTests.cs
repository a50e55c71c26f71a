using StepUpDown.Integration.Tests.Fixtures;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace StepUpDown.Integration.Tests.Notifications;

[Collection(IntegrationCollection.Name)]
public sealed class GpDirectoryServiceTests(PostgresFixture postgres, MailDevFixture mail) : IDisposable
{
    private readonly FeedServer _feed = new();
    private readonly WireMockServer _directory = WireMockServer.Start();

    [Fact]
    public async Task PracticeOnlyTheDirectoryServiceKnows_IsWrittenToAtTheMailboxItGives()
    {
        await mail.ClearAsync();
        _directory.Given(Request.Create().WithPath("/api/v1/gp-practices/Y00009").UsingGet().WithHeader("X-Api-Key", "directory-key"))
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { odsCode = "Y00009", name = "New Practice", secureEmail = "new.practice@nhs.example" }));
        _directory.Given(Request.Create().WithPath("/api/v1/gp-practices/*").UsingGet()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(404));
        await using var worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), _feed.Url, mail, settings =>
        {
            settings["Notifications:GpDirectoryApi:BaseUrl"] = _directory.Url;
            settings["Notifications:GpDirectoryApi:ApiKey"] = "directory-key";
        });
        _feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1, odsCode: "Y00009"), Children.Record("SC-2", "EH", 1, nhsNumber: Children.NhsNumberFor(2)));
        _feed.ServePage("c1", "c2", Children.Record("SC-1", "CP", 2, odsCode: "Y00009"), Children.Record("SC-2", "CP", 2, nhsNumber: Children.NhsNumberFor(2)));

        await worker.PollAsync();
        await worker.PollAsync();

        var addresses = (await mail.WaitForMessagesAsync(4)).Select(m => m.To[0].Address).ToList();
        addresses.ShouldContain("new.practice@nhs.example");
        addresses.ShouldContain("riverside.practice@nhs.example", "a practice the service does not know comes from the directory file");
    }

    public void Dispose()
    {
        _feed.Dispose();
        _directory.Stop();
    }
}
