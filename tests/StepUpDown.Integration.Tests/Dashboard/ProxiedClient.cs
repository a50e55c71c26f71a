using System.Net;

namespace StepUpDown.Integration.Tests.Dashboard;

/// <summary>
/// A browser reaching the worker through a TLS-terminating reverse proxy on this host: every
/// request carries what the proxy adds (<c>X-Forwarded-For</c> the browser's address,
/// <c>X-Forwarded-Proto: https</c>, the public host name). Cookies are kept by hand, as the
/// browser on https keeps them (secure ones included), and every <c>Set-Cookie</c> is recorded.
/// </summary>
public sealed class ProxiedClient : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);
    private readonly Uri _baseAddress;
    private readonly string _clientAddress;

    public ProxiedClient(Uri baseAddress, string clientAddress)
    {
        _baseAddress = baseAddress;
        _clientAddress = clientAddress;
    }

    public const string PublicHost = "stepupdown.council.example";

    /// <summary>Every Set-Cookie header received, in order.</summary>
    public List<string> SetCookies { get; } = [];

    public Task<HttpResponseMessage> GetAsync(string path, Uri? instance = null) => SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(instance ?? _baseAddress, path)));

    public Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> form) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(_baseAddress, path)) { Content = new FormUrlEncodedContent(form) });

    /// <summary>Signs in through the form (its token fetched first unless <paramref name="fetchForm"/> is false and one was fetched before).</summary>
    public async Task<HttpResponseMessage> SignInAsync(string account, string password, string returnUrl = "/hangfire", bool fetchForm = true)
    {
        if (fetchForm || _lastToken is null)
        {
            await GetAsync("/signin");
        }

        return await PostFormAsync("/signin", new()
        {
            ["__RequestVerificationToken"] = _lastToken!,
            ["account"] = account,
            ["password"] = password,
            ["returnUrl"] = returnUrl,
        });
    }

    private string? _lastToken;

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            request.Headers.Accept.ParseAdd("text/html");
            request.Headers.Host = PublicHost;
            request.Headers.Add("X-Forwarded-For", _clientAddress);
            request.Headers.Add("X-Forwarded-Proto", "https");
            if (_cookies.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
            }

            var response = await _http.SendAsync(request);
            foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
            {
                SetCookies.Add(header);
                var pair = header.Split(';')[0];
                var (name, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                {
                    _cookies.Remove(name);
                }
                else
                {
                    _cookies[name] = value;
                }
            }

            if (request.RequestUri!.AbsolutePath == "/signin" && request.Method == HttpMethod.Get)
            {
                var page = await response.Content.ReadAsStringAsync();
                _lastToken = WebUtility.HtmlDecode(DashboardSecurityTests.FormToken().Match(page).Groups[1].Value);
            }

            return response;
        }
    }

    public void Dispose() => _http.Dispose();
}
