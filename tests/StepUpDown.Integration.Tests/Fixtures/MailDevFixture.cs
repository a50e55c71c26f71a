using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>
/// A real SMTP sink: maildev (npm, installed by .ci/run) on free loopback ports; received mail
/// is read over its REST API.
/// </summary>
public sealed class MailDevFixture : IAsyncLifetime
{
    private Process? _process;
    private readonly HttpClient _http = new();

    public MailDevFixture()
        : this(FreePort())
    {
    }

    /// <summary>A sink on a chosen SMTP port (a test can point the worker at it before it starts).</summary>
    internal MailDevFixture(int smtpPort) => SmtpPort = smtpPort;

    public int SmtpPort { get; }

    public int WebPort { get; } = FreePort();

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("MAILDEV") ?? "maildev";
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--smtp", SmtpPort.ToString(), "--web", WebPort.ToString(), "--ip", "127.0.0.1" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(startInfo);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("maildev is not installed: run `npm install -g maildev@3` (as .ci/run does) or set MAILDEV to its path.", exception);
        }

        _process!.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _http.BaseAddress = new Uri($"http://127.0.0.1:{WebPort}/");

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await GetMessagesAsync();
                return;
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !_process.HasExited)
            {
                await Task.Delay(200);
            }
        }
    }

    public async Task<IReadOnlyList<ReceivedMail>> GetMessagesAsync() =>
        await _http.GetFromJsonAsync<List<ReceivedMail>>("api/email") ?? [];

    /// <summary>Waits until at least <paramref name="count"/> messages have arrived (or the timeout), then returns them all.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForMessagesAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var messages = await GetMessagesAsync();
            if (messages.Count >= count || deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                return messages;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The message as received, headers and all (maildev's JSON leaves out some headers, Reply-To among them).</summary>
    public Task<string> SourceAsync(ReceivedMail message) => _http.GetStringAsync($"api/email/{message.Id}/source");

    public async Task ClearAsync() => (await _http.DeleteAsync("api/email/all")).EnsureSuccessStatusCode();

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        _http.Dispose();
        return Task.CompletedTask;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed record ReceivedMail(
    string Subject,
    string? Text,
    string? Html,
    IReadOnlyList<MailAddress> To,
    Dictionary<string, System.Text.Json.JsonElement>? Headers,
    string Id = "")
{
    /// <summary>A header as received (maildev lower-cases header names).</summary>
    public string? Header(string name) =>
        Headers is not null && Headers.TryGetValue(name, out var value) ? value.ToString() : null;
}

public sealed record MailAddress(string Address, string? Name);
