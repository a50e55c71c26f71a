using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.SsdFeed;
using StepUpDown.SsdFeed.ChangeLog;
using StepUpDown.SsdFeed.Demo;

namespace StepUpDown.Integration.Tests.SsdFeed;

/// <summary>
/// The SSD feed over real HTTP, reading the dataset's own tables in a throwaway PostgreSQL database
/// and keeping its change log in another. It refreshes once at start (awaited here), then only
/// when a test says so.
/// </summary>
public sealed class SsdFeedServer : IAsyncDisposable
{
    public const string ApiKey = "ssd-feed-test-key-0001";

    private SsdFeedServer(WebApplication app, string ssdConnectionString)
    {
        App = app;
        SsdConnectionString = ssdConnectionString;
        Client = new HttpClient { BaseAddress = new Uri(Url) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

    public WebApplication App { get; }

    public string SsdConnectionString { get; }

    public string Url => App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/";

    /// <summary>Sends the feed's key.</summary>
    public HttpClient Client { get; }

    /// <summary>Today's date as the feed reads it (Europe/London; the same as UTC in December, and tests keep two days' margin).</summary>
    public static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    public static string DaysAgo(int days) => $"'{Today.AddDays(-days):yyyy-MM-dd}'";

    public static async Task<SsdFeedServer> StartAsync(PostgresFixture postgres, string seedSql, Action<Dictionary<string, string?>>? adjust = null)
    {
        var ssd = await postgres.CreateDatabaseAsync();
        var state = await postgres.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(ssd))
        {
            await connection.ExecuteAsync(SsdTables.Create("ssd"));
            await connection.ExecuteAsync(seedSql);
        }

        var settings = new Dictionary<string, string?>
        {
            ["SsdFeed:ConnectionString"] = ssd,
            ["SsdFeed:StateConnectionString"] = state,
            ["SsdFeed:ApiKeys:worker"] = ApiKey,
            ["SsdFeed:Urls"] = "http://127.0.0.1:0",
            ["SsdFeed:RefreshInterval"] = "1.00:00:00",
        };
        adjust?.Invoke(settings);
        var app = await SsdFeedHost.CreateAsync([], settings);
        await app.StartAsync();
        var server = new SsdFeedServer(app, ssd);
        await Wait.UntilAsync(async () => await app.Services.GetRequiredService<ChangeLog>().LastRefreshAsync(CancellationToken.None) is not null, "the first refresh has finished", TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>Changes the dataset, as the council's nightly reload would.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(SsdConnectionString);
        await connection.ExecuteAsync(sql);
    }

    public Task<RefreshRecord> RefreshAsync() => App.Services.GetRequiredService<FeedRefresh>().RunAsync(CancellationToken.None);

    /// <summary>Every item the feed serves after <paramref name="since"/>, page by page; and the cursor after them.</summary>
    public async Task<(List<JsonElement> Items, string? Cursor)> ReadAllAsync(string? since = null, int limit = 200)
    {
        var items = new List<JsonElement>();
        var cursor = since;
        while (true)
        {
            var page = await Client.GetFromJsonAsync<JsonElement>($"api/v1/children/changes?limit={limit}" + (cursor is null ? "" : $"&since={Uri.EscapeDataString(cursor)}"));
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
            if (!page.GetProperty("hasMore").GetBoolean())
            {
                return (items, cursor);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
