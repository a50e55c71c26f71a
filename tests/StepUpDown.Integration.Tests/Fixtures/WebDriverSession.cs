using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>A chromedriver process and one browser session in it.</summary>
public sealed class WebDriverSession : IAsyncDisposable
{
    private const string ElementKey = "element-6066-11e4-a52e-4f735466cecf";
    private readonly Process _driver;
    private readonly HttpClient _http;
    private readonly string _session;
    private readonly string _profile;

    private WebDriverSession(Process driver, HttpClient http, string session, string profile) =>
        (_driver, _http, _session, _profile) = (driver, http, session, profile);

    public static async Task<WebDriverSession> StartAsync()
    {
        var port = MailDevFixture.FreePort();
        var driver = Process.Start(new ProcessStartInfo("chromedriver", $"--port={port}") { RedirectStandardOutput = true, RedirectStandardError = true })
                     ?? throw new InvalidOperationException("chromedriver did not start (apt-get install chromium chromium-driver).");
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
        var profile = Directory.CreateTempSubdirectory("sud-chromium-").FullName;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                (await http.GetAsync("status")).EnsureSuccessStatusCode();
                break;
            }
            catch (HttpRequestException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }

        // The flags the machine notes ask for: no sandbox as root, and no background network (the network is closed).
        string[] args =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1280,900", $"--user-data-dir={profile}",
        ];
        var created = await http.PostAsync("session", Json(new
        {
            capabilities = new { alwaysMatch = new Dictionary<string, object> { ["browserName"] = "chrome", ["goog:chromeOptions"] = new { binary = "/usr/bin/chromium", args } } },
        }));
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        created.EnsureSuccessStatusCode();
        return new WebDriverSession(driver, http, body.GetProperty("value").GetProperty("sessionId").GetString()!, profile);
    }

    public async Task GoToAsync(Uri url) => await CommandAsync(HttpMethod.Post, "url", new { url = url.ToString() });

    public async Task<string> UrlAsync() => (await CommandAsync(HttpMethod.Get, "url")).GetString()!;

    public async Task<string> SourceAsync() => (await CommandAsync(HttpMethod.Get, "source")).GetString()!;

    public async Task TypeAsync(string selector, string text) =>
        await CommandAsync(HttpMethod.Post, $"element/{await FindAsync(selector)}/value", new { text });

    /// <summary>Runs a script in the page (its body ends in a <c>return</c>) and gives what it returned.</summary>
    public async Task<JsonElement> ExecuteAsync(string script) =>
        await CommandAsync(HttpMethod.Post, "execute/sync", new { script, args = Array.Empty<object>() });

    /// <summary>
    /// Runs axe-core (the copy Deque.AxeCore.Commons bundles) over the page shown, against WCAG 2.0,
    /// 2.1 and 2.2 A and AA, and gives each serious or critical violation as "rule: help @ where".
    /// </summary>
    public async Task<IReadOnlyList<string>> AxeViolationsAsync()
    {
        await CommandAsync(HttpMethod.Post, "timeouts", new { script = 60_000 });
        await ExecuteAsync(new Deque.AxeCore.Commons.BundledAxeScriptProvider().GetScript() + "\nreturn true;");
        var violations = await CommandAsync(HttpMethod.Post, "execute/async", new
        {
            script = """
                var done = arguments[arguments.length - 1];
                axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                  .then(function (result) {
                    done(result.violations
                      .filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
                      .map(function (v) { return v.id + ': ' + v.help + ' @ ' + v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); }).join(', ') + ' (' + (v.nodes[0].failureSummary || '').replace(/\s+/g, ' ') + ')'; }));
                  }, function (error) { done(['axe failed: ' + error]); });
                """,
            args = Array.Empty<object>(),
        });
        return violations.EnumerateArray().Select(v => v.GetString()!).ToList();
    }

    /// <summary>Makes the window this size (a taller one screenshots a whole report).</summary>
    public async Task ResizeAsync(int width, int height) =>
        await CommandAsync(HttpMethod.Post, "window/rect", new { width, height });

    /// <summary>Signs in on the worker's sign-in page.</summary>
    public async Task SignInAsync(Uri worker, string account, string password)
    {
        await GoToAsync(new Uri(worker, "/signin"));
        await SubmitSignInAsync(account, password);
    }

    /// <summary>
    /// Fills in and submits the sign-in form already shown, then waits until the browser has left
    /// the sign-in page: only then is the cookie set (a click does not wait for the form's answer).
    /// </summary>
    public async Task SubmitSignInAsync(string account, string password)
    {
        await TypeAsync("#account", account);
        await TypeAsync("#password", password);
        await ClickAsync("button[type=submit]");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await UrlAsync()).Contains("/signin", StringComparison.OrdinalIgnoreCase))
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "the browser never left the sign-in page");
            await Task.Delay(100);
        }
    }

    public async Task ClickAsync(string selector) =>
        await CommandAsync(HttpMethod.Post, $"element/{await FindAsync(selector)}/click", new { });

    /// <summary>Saves a PNG of the window under the test output's <c>artifacts/</c> folder; returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var png = Convert.FromBase64String((await CommandAsync(HttpMethod.Get, "screenshot")).GetString()!);
        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
        var path = Path.Combine(folder, name);
        await File.WriteAllBytesAsync(path, png);
        return path;
    }

    /// <summary>A JSON body with a length: chromedriver does not read chunked requests.</summary>
    private static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private async Task<string> FindAsync(string selector) =>
        (await CommandAsync(HttpMethod.Post, "element", new { @using = "css selector", value = selector })).GetProperty(ElementKey).GetString()!;

    private async Task<JsonElement> CommandAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, $"session/{_session}/{path}") { Content = body is null ? null : Json(body) };
        using var response = await _http.SendAsync(request);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.IsSuccessStatusCode.ShouldBeTrue($"WebDriver {method} {path}: {json}");
        return json.GetProperty("value");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _http.DeleteAsync($"session/{_session}");
        }
        finally
        {
            _driver.Kill(entireProcessTree: true);
            await _driver.WaitForExitAsync();
            _driver.Dispose();
            _http.Dispose();
            Directory.Delete(_profile, recursive: true);
        }
    }
}
