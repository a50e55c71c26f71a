namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>
/// The real dependencies, started once for all integration tests. The tests in it run one
/// after another: each builds its own worker host and Hangfire keeps some static state.
/// </summary>
[CollectionDefinition(Name)]
public sealed class IntegrationCollection : ICollectionFixture<PostgresFixture>, ICollectionFixture<MailDevFixture>
{
    public const string Name = "Real PostgreSQL and SMTP";
}
