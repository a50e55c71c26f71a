using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>A case feed test double serving the contract over real HTTP (WireMock.Net).</summary>
public sealed class FeedServer : IDisposable
{
    public const string ApiKey = "test-api-key";
    private const string ChangesPath = "/api/v1/children/changes";

    public WireMockServer Server { get; } = WireMockServer.Start();

    public string Url => Server.Url! + "/";

    /// <summary>Serves <paramref name="items"/> for a request with this cursor (null: no cursor, first adoption).</summary>
    public void ServePage(string? since, string nextCursor, params object[] items) =>
        Serve(since, Response.Create().WithStatusCode(200).WithBodyAsJson(new { items, nextCursor, hasMore = false }));

    /// <summary>Serves a page that says another one is ready.</summary>
    public void ServePageWithMore(string? since, string nextCursor, params object[] items) =>
        Serve(since, Response.Create().WithStatusCode(200).WithBodyAsJson(new { items, nextCursor, hasMore = true }));

    public void Serve(string? since, IResponseBuilder response) =>
        Server.Given(ChangesRequest(since)).AtPriority(since is null ? 100 : 1).RespondWith(response);

    /// <summary>Answers the given responses in turn for a request with this cursor, then the last one for ever.</summary>
    public void ServeInTurn(string? since, params IResponseBuilder[] responses)
    {
        var scenario = $"turns-{since}-{Guid.NewGuid():N}";
        for (var i = 0; i < responses.Length; i++)
        {
            var mapping = Server.Given(ChangesRequest(since)).AtPriority(since is null ? 100 : 1).InScenario(scenario);
            mapping = i == 0 ? mapping : mapping.WhenStateIs($"{i}");
            if (i < responses.Length - 1)
            {
                mapping = mapping.WillSetStateTo($"{i + 1}");
            }

            mapping.RespondWith(responses[i]);
        }
    }

    public int RequestCount => Server.LogEntries.Count();

    private static IRequestBuilder ChangesRequest(string? since)
    {
        var request = Request.Create().WithPath(ChangesPath).UsingGet().WithHeader("X-Api-Key", ApiKey);
        return since is null ? request : request.WithParam("since", since);
    }

    public void Dispose() => Server.Stop();
}

/// <summary>Fictional children in the contract's ChildRecord shape.</summary>
public static class Children
{
    public const string ValidNhsNumber = "9434765919";

    /// <summary>
    /// A valid NHS number of its own for each <paramref name="seed"/>: different children in one
    /// source must not share one (a shared number identifies nobody).
    /// </summary>
    public static string NhsNumberFor(int seed)
    {
        for (var stem = 900_000_000 + (seed * 37); ; stem++)
        {
            var digits = stem.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var check = 11 - (digits.Select((d, i) => (d - '0') * (10 - i)).Sum() % 11);
            if (check != 10)
            {
                return digits + (check == 11 ? 0 : check);
            }
        }
    }

    public static Dictionary<string, object?> Record(
        string childId,
        string level,
        long version,
        string given = "Ada",
        string family = "Lovelace",
        string? nhsNumber = ValidNhsNumber,
        string odsCode = "Y00001",
        string status = "open") => new()
    {
        ["childId"] = childId,
        ["nhsNumber"] = nhsNumber,
        ["name"] = new { given, family },
        ["dateOfBirth"] = "2015-12-10",
        ["levelOfNeed"] = level,
        ["status"] = status,
        ["allocatedTeam"] = new { name = "North CIN team", managerName = "Mary Somerville", managerEmail = "mary.somerville@council.example" },
        ["leadProfessional"] = new { name = "Grace Hopper", role = "Social worker", agency = "CSC", email = "grace.hopper@council.example", phone = "0100 000 0123" },
        ["plan"] = new
        {
            type = "cp",
            startedOn = "2026-11-02",
            reviewDueOn = "2027-02-01",
            summary = "Weekly visits; school attendance support.",
            outcomes = new[] { new { description = "Attends school every day", owner = "School", dueOn = "2027-01-15" } },
        },
        ["gpPractice"] = new { odsCode, name = "Riverside Medical Practice (fictional)" },
        ["updatedAt"] = "2026-11-20T09:00:00Z",
        ["version"] = version,
    };
}
