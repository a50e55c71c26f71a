using System.Net;
using System.Text.RegularExpressions;
using StepUpDown.Worker.Dashboard;

namespace StepUpDown.Integration.Tests.Dashboard;

/// <summary>A browser-like HTTP client for the dashboard: keeps cookies, follows no redirects, signs in through the form.</summary>
public sealed partial class DashboardClient : IDisposable
{
    private readonly HttpClient _http;

    public DashboardClient(Uri baseAddress)
    {
        _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = baseAddress };
    }

    public async Task<HttpResponseMessage> SignInAsync(string account, string password)
    {
        var form = await _http.GetStringAsync("/signin");
        var token = FormToken().Match(form).Groups[1].Value;
        return await _http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["account"] = account,
            ["password"] = password,
            ["returnUrl"] = "/hangfire",
        }));
    }

    public Task<HttpResponseMessage> GetPageAsync(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");
        return _http.SendAsync(request);
    }

    /// <summary>Posts a dashboard command as its own buttons do: with the CSRF token from a dashboard page.</summary>
    public Task<HttpResponseMessage> CommandAsync(string path) => DashboardPostAsync(path, []);

    /// <summary>Asks for the dashboard's figures as its script does every few seconds (<c>/hangfire/stats</c>).</summary>
    public Task<HttpResponseMessage> StatsAsync(params string[] metrics) =>
        DashboardPostAsync("/hangfire/stats", metrics.Select(metric => new KeyValuePair<string, string>("metrics[]", metric)));

    private async Task<HttpResponseMessage> DashboardPostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var page = await (await GetPageAsync("/hangfire/jobs/failed")).Content.ReadAsStringAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        var token = CsrfToken().Match(page);
        if (token.Success)
        {
            request.Headers.Add("RequestVerificationToken", token.Groups[1].Value);
        }

        return await _http.SendAsync(request);
    }

    /// <summary>Submits a form of <paramref name="pagePath"/> as its button does: with the page's antiforgery field.</summary>
    public async Task<HttpResponseMessage> SubmitFormAsync(string pagePath, string action, Dictionary<string, string> fields)
    {
        var page = await (await GetPageAsync(pagePath)).Content.ReadAsStringAsync();
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(FormToken().Match(page).Groups[1].Value);
        return await _http.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    public Task<HttpResponseMessage> PostAsync(string path) => _http.PostAsync(path, new FormUrlEncodedContent([]));

    /// <summary>Adds a local dashboard account to the worker's settings (a cheap hash: tests sign in often).</summary>
    public static void AddAccount(Dictionary<string, string?> settings, string name, string password, string role)
    {
        settings[$"Dashboard:LocalAccounts:{name}:PasswordHash"] = PasswordHash.Create(password, PasswordHash.MinimumIterations);
        settings[$"Dashboard:LocalAccounts:{name}:Role"] = role;
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfToken();
}
