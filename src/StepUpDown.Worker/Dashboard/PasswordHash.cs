using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StepUpDown.Worker.Dashboard;

/// <summary>
/// Salted PBKDF2-SHA256 password hashes for local dashboard accounts, written as
/// <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (base64). Verification takes constant time.
/// </summary>
public static class PasswordHash
{
    /// <summary>Iterations for new hashes (OWASP's figure for PBKDF2-HMAC-SHA256).</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Fewer iterations than this are refused at start-up.</summary>
    public const int MinimumIterations = 100_000;

    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>A new hash of <paramref name="password"/> with a random salt.</summary>
    public static string Create(string password, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="encoded"/>.</summary>
    public static bool Verify(string password, string encoded)
    {
        if (!TryParse(encoded, out var iterations, out var salt, out var expected))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password ?? ""), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>The iterations a well-formed hash was made with (0 for anything else).</summary>
    public static int IterationsOf(string? encoded) => TryParse(encoded, out var iterations, out _, out _) ? iterations : 0;

    /// <summary>True for a hash in the expected form with enough iterations.</summary>
    public static bool IsWellFormed(string? encoded) => TryParse(encoded, out _, out _, out _);

    private static bool TryParse(string? encoded, out int iterations, out byte[] salt, out byte[] hash)
    {
        (iterations, salt, hash) = (0, [], []);
        var parts = encoded?.Split('$') ?? [];
        try
        {
            if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations))
            {
                return false;
            }

            (salt, hash) = (Convert.FromBase64String(parts[2]), Convert.FromBase64String(parts[3]));
            return iterations >= MinimumIterations && salt.Length >= SaltBytes && hash.Length == HashBytes;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
