using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace StepUpDown.Worker.Dashboard;

/// <summary>
/// What stands between a guesser and the local accounts, beside the per-address limit on the
/// sign-in endpoint (<c>Dashboard:SignInAttemptsPerAddress</c> a minute): a limit on failed
/// attempts per account name from any address (<c>Dashboard:SignInAttemptsPerAccount</c> per 15
/// minutes; a right password spends nothing), which a browser that has signed in to the account
/// before (its device cookie, OWASP's "device cookies") is not held to, so guesses from elsewhere
/// lock the staff member out of nothing; a cap on how many password hashes are worked out at
/// once (each is 600,000 rounds of PBKDF2: a flood must not take the cores from the worker), with
/// a slot of their own for unknown names, so random names cannot keep real staff from signing
/// in; and the same work for an unknown account as for a known one, so that timing does not tell
/// which names exist.
/// </summary>
public sealed class SignInGuard : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAccount;
    private readonly SemaphoreSlim _hashing = new(Math.Max(1, Environment.ProcessorCount / 2));
    private readonly SemaphoreSlim _hashingUnknown = new(1);
    private readonly string _unknownAccountHash;

    /// <summary>Creates the guard for the configured accounts.</summary>
    public SignInGuard(IOptions<DashboardOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var perAccount = options.Value.SignInAttemptsPerAccount;
        _perAccount = PartitionedRateLimiter.Create<string, string>(account => RateLimitPartition.GetFixedWindowLimiter(
            account, _ => new FixedWindowRateLimiterOptions { PermitLimit = perAccount, Window = TimeSpan.FromMinutes(15) }));

        // As costly as the costliest real hash, for a password nobody knows.
        var iterations = options.Value.LocalAccounts.Values.Select(a => PasswordHash.IterationsOf(a.PasswordHash)).DefaultIfEmpty(PasswordHash.DefaultIterations).Max();
        _unknownAccountHash = PasswordHash.Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), iterations);
    }

    /// <summary>How long a sign-in waits for a free hashing slot before it is told to try later.</summary>
    public static readonly TimeSpan HashingWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// False when <paramref name="account"/> has had its failed attempts for now (whether or not
    /// it exists) and <paramref name="trustedDevice"/> is false: a browser that signed in to it
    /// before may still try.
    /// </summary>
    public bool MayTry(string account, bool trustedDevice) =>
        trustedDevice || _perAccount.GetStatistics(Key(account))?.CurrentAvailablePermits is not 0;

    /// <summary>Counts a failed attempt against <paramref name="account"/>.</summary>
    public void Failed(string account)
    {
        using var lease = _perAccount.AttemptAcquire(Key(account));
    }

    /// <summary>
    /// Checks <paramref name="password"/> against <paramref name="account"/>'s hash, or against a
    /// hash of the same cost when there is no such account (always false then). Null when no
    /// hashing slot came free in time.
    /// </summary>
    public async Task<bool?> VerifyAsync(LocalAccountOptions? account, string password, CancellationToken cancellationToken)
    {
        var slots = account is null ? _hashingUnknown : _hashing;
        if (!await slots.WaitAsync(HashingWait, cancellationToken))
        {
            return null;
        }

        try
        {
            var matches = PasswordHash.Verify(password, account?.PasswordHash ?? _unknownAccountHash);
            return account is not null && matches;
        }
        finally
        {
            slots.Release();
        }
    }

    private static string Key(string account) => account.Trim().ToUpperInvariant();

    /// <inheritdoc />
    public void Dispose()
    {
        _perAccount.Dispose();
        _hashing.Dispose();
        _hashingUnknown.Dispose();
    }
}
