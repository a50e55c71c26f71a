using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StepUpDown.Worker;

namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>The real worker host, wired to the test's database, feed double and SMTP sink, logging to a file.</summary>
public sealed class WorkerHarness : IAsyncDisposable
{
    public const string Source = "social-care";

    private WorkerHarness(StepUpDownApp app, string connectionString, string logPath)
    {
        App = app;
        ConnectionString = connectionString;
        LogPath = logPath;
    }

    public StepUpDownApp App { get; }

    public string ConnectionString { get; }

    public string LogPath { get; }

    /// <summary>Where the worker's HTTP endpoints (health, sign-in, dashboard) listen.</summary>
    public Uri BaseAddress => new(App.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());

    public static Dictionary<string, string?> Settings(string connectionString, string? feedUrl, MailDevFixture mail, string logPath)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:StepUpDown"] = connectionString,
            ["Urls"] = "http://127.0.0.1:0",
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = mail.SmtpPort.ToString(),
            ["Mail:Smtp:Security"] = "None",
            ["Jobs:QueuePollInterval"] = "00:00:00.500",
            ["Jobs:SchedulePollingInterval"] = "00:00:01",
            ["Handovers:SweepCron"] = "0 0 1 1 *", // yearly: tests sweep themselves, on the dates they choose
            ["Serilog:Using:1"] = "Serilog.Sinks.File",
            ["Serilog:WriteTo:1:Name"] = "File",
            ["Serilog:WriteTo:1:Args:path"] = logPath,
            ["Serilog:WriteTo:1:Args:formatProvider"] = "System.Globalization.CultureInfo::InvariantCulture",
        };
        if (feedUrl is not null)
        {
            AddSource(settings, Source, feedUrl);
        }

        return settings;
    }

    /// <summary>Adds a source with the test feed's key and level codes, polled only when a test says so.</summary>
    public static void AddSource(Dictionary<string, string?> settings, string name, string feedUrl)
    {
        var source = $"CaseFeeds:Sources:{name}";
        settings[$"{source}:BaseUrl"] = feedUrl;
        settings[$"{source}:ApiKey"] = FeedServer.ApiKey;
        settings[$"{source}:PollCron"] = "0 0 1 1 *"; // yearly: tests trigger polls themselves
        settings[$"{source}:LevelCodes:UNI"] = "universal";
        settings[$"{source}:LevelCodes:EH"] = "early-help";
        settings[$"{source}:LevelCodes:CIN"] = "child-in-need";
        settings[$"{source}:LevelCodes:CP"] = "child-protection";
        settings[$"{source}:LevelCodes:LAC"] = "looked-after";
        settings[$"{source}:Resilience:BaseDelay"] = "00:00:00.050";
    }

    public static async Task<WorkerHarness> StartAsync(
        string connectionString, string? feedUrl, MailDevFixture mail, Action<Dictionary<string, string?>>? adjust = null, string? environment = null)
    {
        var logPath = Path.Combine(Path.GetTempPath(), $"sud-log-{Guid.NewGuid():N}.txt");
        var settings = Settings(connectionString, feedUrl, mail, logPath);
        adjust?.Invoke(settings);
        string[] args = environment is null ? [] : ["--environment", environment];
        var app = environment == "Demo" ? await StepUpDown.Demo.Demo.CreateAsync(args, settings) : await StepUpDownHost.CreateAsync(args, settings);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new WorkerHarness(app, connectionString, logPath);
    }

    /// <summary>Polls a source now, as its recurring job would.</summary>
    public Task<StepUpDown.Integration.CaseFeeds.PollResult> PollAsync(string source = Source) =>
        InScopeAsync<StepUpDown.Integration.CaseFeeds.CaseFeedPoller, StepUpDown.Integration.CaseFeeds.PollResult>(
            poller => poller.PollAsync(source, CancellationToken.None));

    /// <summary>Runs the handover sweep as if it were 10:00 UTC on <paramref name="day"/> (detection and delivery keep the real clock).</summary>
    public async Task<StepUpDown.Integration.Handovers.SweepResult> SweepOnAsync(string day)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse($"{day}T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var scope = App.Services.CreateAsyncScope();
        return await ActivatorUtilities.CreateInstance<StepUpDown.Integration.Handovers.HandoverSweep>(scope.ServiceProvider, (TimeProvider)clock)
            .SweepAsync(CancellationToken.None);
    }

    public T Get<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Runs <paramref name="action"/> with a scoped service, as a job would.</summary>
    public async Task<TResult> InScopeAsync<TService, TResult>(Func<TService, Task<TResult>> action)
        where TService : notnull
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async Task<T> QueryScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        return (await connection.QueryAsync<T>(sql, parameters)).ToList();
    }

    public Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) => Wait.UntilAsync(condition, what, timeout);

    /// <summary>Waits until the ledger has nothing pending or sending: every notification is delivered, withheld or failed.</summary>
    public Task WaitForLedgerSettledAsync() =>
        WaitUntilAsync(
            async () => await QueryScalarAsync<long>("SELECT count(*) FROM stepupdown.notifications WHERE state IN ('pending', 'sending')") == 0,
            "every notification is delivered or failed");

    private async Task StopAsync()
    {
        await App.DisposeAsync();
        // Each test has its own database: free its pooled connections (Hangfire's included).
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Stops the host (flushing the log file) and returns everything it logged.</summary>
    public async Task<string> StopAndReadLogAsync()
    {
        await StopAsync();
        return File.Exists(LogPath) ? await File.ReadAllTextAsync(LogPath) : "";
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        File.Delete(LogPath);
    }
}
