namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>
/// A test against one running worker watching two case systems, as councils run them: social care
/// (<see cref="WorkerHarness.Source"/>) and early help, each served by its own feed double.
/// </summary>
[Collection(IntegrationCollection.Name)]
public abstract class TwoSourceTest(PostgresFixture postgres, MailDevFixture mail) : IAsyncLifetime
{
    protected const string EarlyHelp = "early-help";

    protected FeedServer SocialCareFeed { get; } = new();

    protected FeedServer EarlyHelpFeed { get; } = new();

    protected MailDevFixture Mail => mail;

    /// <summary>For a test that needs a worker with other settings.</summary>
    protected PostgresFixture Postgres => postgres;

    protected WorkerHarness Worker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await mail.ClearAsync();
        Worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), SocialCareFeed.Url, mail, settings =>
        {
            WorkerHarness.AddSource(settings, EarlyHelp, EarlyHelpFeed.Url);
            Adjust(settings);
        });
    }

    /// <summary>Changes the worker's settings before it starts.</summary>
    protected virtual void Adjust(Dictionary<string, string?> settings)
    {
    }

    public async Task DisposeAsync()
    {
        await Worker.DisposeAsync();
        SocialCareFeed.Dispose();
        EarlyHelpFeed.Dispose();
    }

    /// <summary>Adopts both systems (their baselines: stored, never notified).</summary>
    protected async Task AdoptAsync(object[] socialCare, object[] earlyHelp)
    {
        SocialCareFeed.ServePage(null, "s1", socialCare);
        EarlyHelpFeed.ServePage(null, "e1", earlyHelp);
        await Worker.PollAsync();
        await Worker.PollAsync(EarlyHelp);
    }
}
