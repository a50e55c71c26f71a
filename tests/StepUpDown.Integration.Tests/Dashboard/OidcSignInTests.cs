using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
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
    private const string ClientId = "stepupdown-dashboard";
    private readonly WireMockServer _provider = WireMockServer.Start();
    private readonly RSA _signingKey = RSA.Create(2048);

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
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_signingKey.ExportParameters(false)) { KeyId = "test-key" });
        _provider.Given(Request.Create().WithPath("/jwks").UsingGet())
            .RespondWith(Response.Create().WithBodyAsJson(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = "test-key", jwk.N, jwk.E } } }));
        settings["Dashboard:Oidc:Authority"] = issuer;
        settings["Dashboard:Oidc:ClientId"] = ClientId;
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
        location.ShouldContain($"client_id={ClientId}");
        location.ShouldContain("response_type=code");
        location.ShouldContain("code_challenge_method=S256");
        dashboard.StatusCode.ShouldBe(HttpStatusCode.Redirect, "nobody is signed in until the provider says so");
    }

    [Theory]
    [InlineData("stepupdown-viewer", HttpStatusCode.OK)]
    [InlineData("someone-else", HttpStatusCode.Redirect)]
    public async Task ProviderSignsTheUserIn_TheCodeIsRedeemedWithItsPkceVerifier_AndTheGroupDecidesTheDashboard(string group, HttpStatusCode dashboard)
    {
        // A raw client with its own cookie jar: the handler's correlation and nonce cookies are
        // Secure (as they must be), and HttpClient's jar will not send Secure cookies over plain HTTP.
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = Worker.BaseAddress };
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);

        var challenge = await SendAsync(browser, cookies, new HttpRequestMessage(HttpMethod.Get, "/signin/oidc?returnUrl=%2Fhangfire"));
        var authorize = HttpUtility.ParseQueryString(challenge.Headers.Location!.Query);
        ServeTokens(authorize["nonce"]!, group);
        var callback = await SendAsync(browser, cookies, new HttpRequestMessage(HttpMethod.Post, new Uri(authorize["redirect_uri"]!).PathAndQuery)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = "code-from-the-provider", ["state"] = authorize["state"]! }),
        });
        var page = await SendAsync(browser, cookies, new HttpRequestMessage(HttpMethod.Get, "/hangfire") { Headers = { { "Accept", "text/html" } } });

        callback.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        callback.Headers.Location!.OriginalString.ShouldBe("/hangfire");
        var tokenRequest = HttpUtility.ParseQueryString(_provider.LogEntries.Single(e => e.RequestMessage.Path == "/token").RequestMessage.Body!);
        tokenRequest["grant_type"].ShouldBe("authorization_code");
        tokenRequest["code"].ShouldBe("code-from-the-provider");
        Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(tokenRequest["code_verifier"]!))).ShouldBe(authorize["code_challenge"]);
        page.StatusCode.ShouldBe(dashboard);
    }

    /// <summary>The provider's token endpoint: an id token signed with the key its JWKS publishes, for this sign-in's nonce.</summary>
    private void ServeTokens(string nonce, string group)
    {
        const string accessToken = "access-token-for-tests";
        var now = DateTime.UtcNow;
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _provider.Url,
            Audience = ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Subject = new ClaimsIdentity([new Claim("sub", "ops-user-1"), new Claim("name", "Ops User"), new Claim("roles", group)]),
            Claims = new Dictionary<string, object>
            {
                ["nonce"] = nonce,
                ["at_hash"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken))[..16]),
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_signingKey) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
        });
        _provider.Given(Request.Create().WithPath("/token").UsingPost())
            .RespondWith(Response.Create().WithBodyAsJson(new { id_token = idToken, access_token = accessToken, token_type = "Bearer", expires_in = 300 }));
    }

    /// <summary>Sends with the jar's cookies, and keeps the ones the response sets (deleted ones dropped).</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient browser, Dictionary<string, string> cookies, HttpRequestMessage request)
    {
        if (cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await browser.SendAsync(request);
        foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = header.Split(';')[0];
            var (name, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
            {
                cookies.Remove(name);
            }
            else
            {
                cookies[name] = value;
            }
        }

        return response;
    }

    public void Dispose()
    {
        _provider.Stop();
        _signingKey.Dispose();
    }
}
