namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>A <see cref="ThrowawayDovecot"/> for the tests of one class.</summary>
public sealed class DovecotFixture : IAsyncLifetime
{
    public const string UserName = ThrowawayDovecot.UserName;
    public const string Password = ThrowawayDovecot.Password;

    private ThrowawayDovecot? _dovecot;

    private ThrowawayDovecot Dovecot => _dovecot ?? throw new InvalidOperationException("Dovecot has not started.");

    public int Port => Dovecot.Port;

    public async Task InitializeAsync() => _dovecot = await ThrowawayDovecot.StartAsync();

    public Task AppendAsync(string raw, string folder = "INBOX") => Dovecot.AppendAsync(raw, folder);

    public Task AppendAsync(string raw, string folder, DateTimeOffset arrived) => Dovecot.AppendAsync([raw], folder, arrived);

    public Task<int> CountAsync(string folder) => Dovecot.CountAsync(folder);

    public int Logins => Dovecot.Logins;

    public async Task DisposeAsync()
    {
        if (_dovecot is not null)
        {
            await _dovecot.DisposeAsync();
        }
    }
}
