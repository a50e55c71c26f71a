using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Worker.Dashboard;

namespace StepUpDown.Integration.Tests.Dashboard;

/// <summary>
/// The dashboard as a council deploys it: behind a TLS-terminating reverse proxy on this host
/// (127.0.0.1, named in <c>Dashboard:KnownProxies</c>), reached by staff from their own addresses.
/// Each request is what that proxy would send: <c>X-Forwarded-For</c>, <c>X-Forwarded-Proto: https</c>
/// and the public host name.
/// </summary>
public sealed partial class DashboardSecurityTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string Password = "viewer password for tests";

    protected override void Adjust(Dictionary<string, string?> settings)
    {
        DashboardClient.AddAccount(settings, "vera", Password, "viewer");
        settings["Dashboard:KnownProxies:0"] = "127.0.0.1";
        settings["Dashboard:SignInAttemptsPerAddress"] = "3";
        settings["Dashboard:SignInAttemptsPerAccount"] = "5";
    }

    [Fact]
    public async Task BehindTheProxyOnHttps_CookiesAreSecureHttpOnlyLax_AndHstsIsSent_ButAForwardedHeaderFromAnyoneElseIsIgnored()
    {
        using var staff = new ProxiedClient(Worker.BaseAddress, "203.0.113.7");
        var signedIn = await staff.SignInAsync("vera", Password);

        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var dashboardCookie = staff.SetCookies.Where(c => c.StartsWith("StepUpDown.Dashboard=", StringComparison.Ordinal)).ShouldHaveSingleItem();
        dashboardCookie.ShouldContain("; secure", Case.Insensitive);
        dashboardCookie.ShouldContain("; httponly", Case.Insensitive);
        dashboardCookie.ShouldContain("; samesite=lax", Case.Insensitive);
        staff.SetCookies.Where(c => c.Contains("Antiforgery", StringComparison.Ordinal)).ShouldAllBe(c => c.Contains("; secure", StringComparison.OrdinalIgnoreCase));
        signedIn.Headers.GetValues("Strict-Transport-Security").ShouldHaveSingleItem().ShouldStartWith("max-age=31536000");
        (await staff.GetAsync("/hangfire")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The same headers from an address that is not the named proxy are anyone's to write.
        await using var unproxied = await WorkerHarness.StartAsync(await Postgres.CreateDatabaseAsync(), null, Mail, settings =>
            DashboardClient.AddAccount(settings, "vera", Password, "viewer"));
        using var pretender = new ProxiedClient(unproxied.BaseAddress, "203.0.113.7");
        var plain = await pretender.SignInAsync("vera", Password);
        plain.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        pretender.SetCookies.ShouldNotBeEmpty();
        pretender.SetCookies.ShouldNotContain(c => c.Contains("; secure", StringComparison.OrdinalIgnoreCase), "the request was plain http: the pretended https is not believed");
        plain.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
    }

    [Fact]
    public async Task SignInIsLimitedPerStaffAddress_AsTheProxyForwardsIt_NotOneBucketForEveryoneBehindIt()
    {
        using var guesser = new ProxiedClient(Worker.BaseAddress, "198.51.100.9");
        using var colleague = new ProxiedClient(Worker.BaseAddress, "203.0.113.8");

        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            guesses.Add((await guesser.SignInAsync($"nobody{i}", "guess")).StatusCode);
        }

        guesses.ShouldBe([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests]);
        (await colleague.SignInAsync("vera", Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect, "a colleague behind the same proxy is not locked out");
    }

    [Fact]
    public async Task GuessesAtOneAccountFromManyAddresses_AreLimitedPerAccount()
    {
        var outcomes = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var botnet = new ProxiedClient(Worker.BaseAddress, $"192.0.2.{i + 1}");
            outcomes.Add((await botnet.SignInAsync("VERA ", $"guess {i}")).StatusCode);
        }

        outcomes.Take(5).ShouldAllBe(status => status == HttpStatusCode.Unauthorized);
        outcomes[5].ShouldBe(HttpStatusCode.TooManyRequests, "the sixth guess at one account, whatever its address or spelling");
    }

    [Fact]
    public async Task GuessesAtOneAccountInParallel_AreCheckedAndCountedAtOnce_SoNoMoreThanTheLimitAreTried()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var botnet = new ProxiedClient(Worker.BaseAddress, $"192.0.2.{i + 100}");
            return (await botnet.SignInAsync("vera", $"guess {i}")).StatusCode;
        }));

        outcomes.Count(status => status == HttpStatusCode.Unauthorized).ShouldBe(5, "the account's limit, however many arrive at once");
        outcomes.Count(status => status == HttpStatusCode.TooManyRequests).ShouldBe(15);
    }

    [Fact]
    public async Task GuessesAtAnAccount_DoNotLockOutItsOwnerOnABrowserThatSignedInBefore_AndARightPasswordSpendsNothing()
    {
        using var owner = new ProxiedClient(Worker.BaseAddress, "203.0.113.20");
        (await owner.SignInAsync("vera", Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        for (var i = 0; i < 5; i++)
        {
            using var botnet = new ProxiedClient(Worker.BaseAddress, $"192.0.2.{i + 50}");
            (await botnet.SignInAsync("vera", $"guess {i}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var stranger = new ProxiedClient(Worker.BaseAddress, "192.0.2.99");
        (await stranger.SignInAsync("vera", "guess 6")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "the account's failed attempts are spent");
        (await owner.SignInAsync("vera", Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect, "its owner's browser is not locked out");

        await using var other = await WorkerHarness.StartAsync(await Postgres.CreateDatabaseAsync(), null, Mail, settings =>
        {
            DashboardClient.AddAccount(settings, "vera", Password, "viewer");
            settings["Dashboard:SignInAttemptsPerAccount"] = "2";
        });
        for (var i = 0; i < 4; i++)
        {
            using var fresh = new ProxiedClient(other.BaseAddress, $"198.51.100.{i + 20}");
            (await fresh.SignInAsync("vera", Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect, "signing in with the right password uses up no attempts");
        }
    }

    [Theory]
    [InlineData("/signin")]
    [InlineData("/hangfire")]
    [InlineData("/hangfire/monitoring?from=0001-01-02&to=9999-06-30")]
    [InlineData("/api/v1/lead-professional?source=social-care&id=SC-1")]
    public async Task EveryPage_ForbidsFramingSniffingAndCaching(string path)
    {
        using var staff = new ProxiedClient(Worker.BaseAddress, "203.0.113.30");
        await staff.SignInAsync("vera", Password);

        var response = await staff.GetAsync(path);

        ((int)response.StatusCode).ShouldBeLessThan(500);
        response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
        response.Headers.GetValues("Content-Security-Policy").ShouldHaveSingleItem().ShouldContain("frame-ancestors 'none'");
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
    }

    [Fact]
    public async Task AnUnknownAccountTakesAsLongAsAKnownOne_SoTimingDoesNotTellWhichNamesExist()
    {
        // Real-cost hashes (600,000 rounds): the difference between hashing and not is two orders of magnitude.
        await using var worker = await WorkerHarness.StartAsync(await Postgres.CreateDatabaseAsync(), null, Mail, settings =>
        {
            settings["Dashboard:LocalAccounts:vera:PasswordHash"] = PasswordHash.Create(Password);
            settings["Dashboard:LocalAccounts:vera:Role"] = "viewer";
        });

        var known = new List<TimeSpan>();
        var unknown = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            known.Add(await TimeRefusedSignInAsync(worker.BaseAddress, "vera"));
            unknown.Add(await TimeRefusedSignInAsync(worker.BaseAddress, $"no-such-account-{i}"));
        }

        // Medians, compared loosely: a loaded machine varies, skipping the hash does not come close.
        var ratio = unknown.Order().ElementAt(1) / known.Order().ElementAt(1);
        ratio.ShouldBeGreaterThan(0.5, $"known {string.Join(", ", known)}; unknown {string.Join(", ", unknown)}");
    }

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("https://evil.example/")]
    public async Task AReturnUrlOffThisSite_IsNotFollowedAfterSignIn(string returnUrl)
    {
        using var staff = new ProxiedClient(Worker.BaseAddress, "203.0.113.7");

        var signedIn = await staff.SignInAsync("vera", Password, returnUrl);

        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signedIn.Headers.Location.ShouldNotBeNull().OriginalString.ShouldBe("/hangfire");
    }

    [Fact]
    public async Task SignOut_IsAFormPostWithItsToken_LinkedFromTheDashboard_AndAnotherSiteCannotSignStaffOut()
    {
        using var staff = new ProxiedClient(Worker.BaseAddress, "203.0.113.7");
        await staff.SignInAsync("vera", Password);

        var dashboard = await (await staff.GetAsync("/hangfire")).Content.ReadAsStringAsync();
        var forged = await staff.PostFormAsync("/signout", []);
        var stillIn = await staff.GetAsync("/hangfire");
        var form = await (await staff.GetAsync("/signout")).Content.ReadAsStringAsync();
        var signedOut = await staff.PostFormAsync("/signout", new() { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(FormToken().Match(form).Groups[1].Value) });
        var afterwards = await staff.GetAsync("/hangfire");

        dashboard.ShouldContain("href=\"/signout\"");
        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        stillIn.StatusCode.ShouldBe(HttpStatusCode.OK);
        signedOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        afterwards.StatusCode.ShouldBe(HttpStatusCode.Redirect, "signed out: sent to sign in again");
    }

    [Fact]
    public async Task ASecondInstance_ReadsTheCookieTheFirstIssued()
    {
        using var staff = new ProxiedClient(Worker.BaseAddress, "203.0.113.7");
        await staff.SignInAsync("vera", Password);
        await using var second = await WorkerHarness.StartAsync(Worker.ConnectionString, null, Mail, Adjust);

        var onTheSecond = await staff.GetAsync("/hangfire", second.BaseAddress);

        onTheSecond.StatusCode.ShouldBe(HttpStatusCode.OK, "the key ring is in the shared database");
        (await staff.GetAsync("/hangfire")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WithACertificate_TheKeyRingIsEncryptedInTheDatabase_AndEveryInstanceHoldingItReadsTheCookie()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=StepUpDown key ring (test)", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var pfx = Path.Combine(Path.GetTempPath(), $"sud-keyring-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pfx password"));
        void WithCertificate(Dictionary<string, string?> settings)
        {
            Adjust(settings);
            settings["Dashboard:DataProtection:CertificatePath"] = pfx;
            settings["Dashboard:DataProtection:CertificatePassword"] = "pfx password";
        }

        var database = await Postgres.CreateDatabaseAsync();
        await using var first = await WorkerHarness.StartAsync(database, null, Mail, WithCertificate);
        using var staff = new ProxiedClient(first.BaseAddress, "203.0.113.40");
        (await staff.SignInAsync("vera", Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        await using var second = await WorkerHarness.StartAsync(database, null, Mail, WithCertificate);

        var stored = await first.QueryAsync<string>("SELECT xml FROM stepupdown.data_protection_keys");
        stored.ShouldNotBeEmpty();
        stored.ShouldAllBe(xml => xml.Contains("encryptedSecret", StringComparison.Ordinal) && !xml.Contains("<masterKey", StringComparison.Ordinal));
        (await staff.GetAsync("/hangfire", second.BaseAddress)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var missing = await Should.ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            WorkerHarness.StartAsync(database, null, Mail, settings => { WithCertificate(settings); settings["Dashboard:DataProtection:CertificatePassword"] = "wrong"; }));
        missing.Message.ShouldContain("Dashboard:DataProtection:CertificatePath");
        File.Delete(pfx);
    }

    private static async Task<TimeSpan> TimeRefusedSignInAsync(Uri baseAddress, string account)
    {
        using var client = new ProxiedClient(baseAddress, "203.0.113.7");
        await client.GetAsync("/signin"); // the form and its token first, outside the timing
        var clock = Stopwatch.StartNew();
        var refused = await client.SignInAsync(account, "wrong password", fetchForm: false);
        var elapsed = clock.Elapsed;
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        return elapsed;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    internal static partial Regex FormToken();
}
