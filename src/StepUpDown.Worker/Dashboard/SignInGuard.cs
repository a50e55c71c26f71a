using System.Security.Cryptography;
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
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private readonly Dictionary<string, (long Since, int Spent)> _perAccount = new(StringComparer.Ordinal);
    private readonly int _limit;
    private readonly SemaphoreSlim _hashing = new(Math.Max(1, Environment.ProcessorCount / 2));
    private readonly SemaphoreSlim _hashingUnknown = new(1);
    private readonly string _unknownAccountHash;

    /// <summary>Creates the guard for the configured accounts.</summary>
    public SignInGuard(IOptions<DashboardOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _limit = options.Value.SignInAttemptsPerAccount;

        // As costly as the costliest real hash, for a password nobody knows.
        var iterations = options.Value.LocalAccounts.Values.Select(a => PasswordHash.IterationsOf(a.PasswordHash)).DefaultIfEmpty(PasswordHash.DefaultIterations).Max();
        _unknownAccountHash = PasswordHash.Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), iterations);
    }

    /// <summary>How long a sign-in waits for a free hashing slot before it is told to try later.</summary>
    public static readonly TimeSpan HashingWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Counts an attempt against <paramref name="account"/> (whether or not it exists) and says
    /// whether it may go ahead: checked and counted in one step, so attempts made in parallel
    /// cannot all pass the check before any is counted. A browser that signed in to the account
    /// before (<paramref name="trustedDevice"/>) may always try, and is not counted.
    /// </summary>
    public bool TryAttempt(string account, bool trustedDevice)
    {
        if (trustedDevice)
        {
            return true;
        }

        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        lock (_perAccount)
        {
            var (since, spent) = _perAccount.GetValueOrDefault(Key(account), (now, 0));
            if (System.Diagnostics.Stopwatch.GetElapsedTime(since, now) >= Window)
            {
                (since, spent) = (now, 0);
            }

            if (spent >= _limit)
            {
                return false;
            }

            _perAccount[Key(account)] = (since, spent + 1);
            return true;
        }
    }

    /// <summary>An attempt that was no wrong guess (a right password, or no hash was worked out) spends nothing: what <see cref="TryAttempt"/> counted is given back.</summary>
    public void GiveBack(string account, bool trustedDevice)
    {
        if (trustedDevice)
        {
            return;
        }

        lock (_perAccount)
        {
            if (_perAccount.TryGetValue(Key(account), out var window) && window.Spent > 0)
            {
                _perAccount[Key(account)] = window with { Spent = window.Spent - 1 };
            }
        }
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
        _hashing.Dispose();
        _hashingUnknown.Dispose();
    }
}
