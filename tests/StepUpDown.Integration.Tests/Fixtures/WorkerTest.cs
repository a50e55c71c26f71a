namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>
/// A test against one running worker: a fresh database, one case feed double, an empty SMTP sink.
/// </summary>
[Collection(IntegrationCollection.Name)]
public abstract class WorkerTest(PostgresFixture postgres, MailDevFixture mail) : IAsyncLifetime
{
    protected FeedServer Feed { get; } = new();

    protected MailDevFixture Mail => mail;

    /// <summary>For a test that needs a second worker with other settings.</summary>
    protected PostgresFixture Postgres => postgres;

    protected WorkerHarness Worker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await mail.ClearAsync();
        Worker = await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), Feed.Url, mail, Adjust);
    }

    /// <summary>Changes the worker's settings before it starts.</summary>
    protected virtual void Adjust(Dictionary<string, string?> settings)
    {
    }

    public async Task DisposeAsync()
    {
        await Worker.DisposeAsync();
        Feed.Dispose();
    }
}
