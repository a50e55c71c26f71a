using System.Net;
using StepUpDown.Integration.Tests.Fixtures;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace StepUpDown.Integration.Tests.Dashboard;

/// <summary>Sign-in through the council's OpenID Connect provider (its discovery document served by WireMock).</summary>
public sealed class OidcSignInTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail), IDisposable
{
    private static readonly string[] Code = ["code"];
    private static readonly string[] Public = ["public"];
    private static readonly string[] Rs256 = ["RS256"];
    private readonly WireMockServer _provider = WireMockServer.Start();

    protected override void Adjust(Dictionary<string, string?> settings)
    {
        var issuer = _provider.Url!;
        _provider.Given(Request.Create().WithPath("/.well-known/openid-configuration").UsingGet())
            .RespondWith(Response.Create().WithBodyAsJson(new
            {
                issuer,
                authorization_endpoint = $"{issuer}/authorize",
                token_endpoint = $"{issuer}/token",
                jwks_uri = $"{issuer}/jwks",
                response_types_supported = Code,
                subject_types_supported = Public,
                id_token_signing_alg_values_supported = Rs256,
            }));
        _provider.Given(Request.Create().WithPath("/jwks").UsingGet()).RespondWith(Response.Create().WithBodyAsJson(new { keys = Array.Empty<object>() }));
        settings["Dashboard:Oidc:Authority"] = issuer;
        settings["Dashboard:Oidc:ClientId"] = "stepupdown-dashboard";
        settings["Dashboard:Oidc:RequireHttpsMetadata"] = "false"; // WireMock serves plain HTTP
    }

    [Fact]
    public async Task SignInWithTheCouncilsAccount_GoesToTheProvider_WithPkce()
    {
        using var client = new DashboardClient(Worker.BaseAddress);

        var signInResponse = await client.GetPageAsync("/signin");
        var signInPage = await signInResponse.Content.ReadAsStringAsync();
        signInResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        var challenge = await client.GetPageAsync("/signin/oidc?returnUrl=%2Fhangfire");
        var dashboard = await client.GetPageAsync("/hangfire");

        signInPage.ShouldContain("/signin/oidc");
        challenge.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var location = challenge.Headers.Location.ShouldNotBeNull().ToString();
        location.ShouldStartWith($"{_provider.Url}/authorize?");
        location.ShouldContain("client_id=stepupdown-dashboard");
        location.ShouldContain("response_type=code");
        location.ShouldContain("code_challenge_method=S256");
        dashboard.StatusCode.ShouldBe(HttpStatusCode.Redirect, "nobody is signed in until the provider says so");
    }

    public void Dispose() => _provider.Stop();
}
