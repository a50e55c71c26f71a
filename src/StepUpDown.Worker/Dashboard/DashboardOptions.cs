using System.ComponentModel.DataAnnotations;

namespace StepUpDown.Worker.Dashboard;

/// <summary>
/// The Hangfire dashboard and who may sign in to it (section <c>Dashboard</c>). It shows children's
/// job history, so nobody gets in without signing in: local accounts with salted password hashes,
/// OpenID Connect (the council's identity provider), or both.
/// </summary>
public sealed class DashboardOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>Where the dashboard is served.</summary>
    [Required]
    [RegularExpression("^/[a-z0-9/-]+$", ErrorMessage = "must be a path such as /hangfire.")]
    public string Path { get; set; } = "/hangfire";

    /// <summary>Local accounts by sign-in name: for small or offline deployments.</summary>
    public Dictionary<string, LocalAccountOptions> LocalAccounts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The council's identity provider; unset: local accounts only.</summary>
    public OidcOptions? Oidc { get; set; }

    /// <summary>True when anyone can sign in at all.</summary>
    public bool HasSignIn => LocalAccounts.Count > 0 || Oidc is not null;

    /// <summary>
    /// The dashboard is only ever reached over https (directly or through a TLS-terminating
    /// proxy): its cookies are always <c>Secure</c>. Otherwise they are <c>Secure</c> whenever the
    /// request is https.
    /// </summary>
    public bool RequireHttps { get; set; }

    /// <summary>
    /// Addresses of the reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>
    /// are believed (the client's address for the sign-in limits, https for the cookie and OIDC).
    /// None: no forwarded header is believed.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>As <see cref="KnownProxies"/>, for whole networks in CIDR form (10.0.0.0/8).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>
    /// Keys by caller name for the MASSH's systems calling <c>/api/v1/lead-professional</c> with
    /// <c>X-Api-Key</c> (at least 32 characters each; from a secret store).
    /// </summary>
    public Dictionary<string, string> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Lead lookups (<c>/api/v1/lead-professional</c>) allowed per caller (a dashboard account or an API key) per minute; more are answered 429.</summary>
    [Range(1, 10_000)]
    public int LookupsPerMinute { get; set; } = 60;

    /// <summary>Sign-in attempts allowed per client address per minute.</summary>
    [Range(1, 1000)]
    public int SignInAttemptsPerAddress { get; set; } = 10;

    /// <summary>Sign-in attempts allowed per account name per 15 minutes, from any address.</summary>
    [Range(1, 1000)]
    public int SignInAttemptsPerAccount { get; set; } = 10;

    /// <summary>How the Data Protection key ring is protected at rest.</summary>
    public KeyRingOptions DataProtection { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DataProtection.CertificatePath is { Length: > 0 } certificate && !File.Exists(certificate))
        {
            yield return new ValidationResult("names no file (a PKCS#12 .pfx with its private key).", [$"{nameof(DataProtection)}:{nameof(KeyRingOptions.CertificatePath)}"]);
        }

        foreach (var (name, key) in ApiKeys)
        {
            if (key.Length < 32)
            {
                yield return new ValidationResult("must be at least 32 characters (a random secret, not a password).", [$"{nameof(ApiKeys)}:{name}"]);
            }
        }

        for (var i = 0; i < KnownProxies.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(KnownProxies[i], out _))
            {
                yield return new ValidationResult("is not an IP address.", [$"{nameof(KnownProxies)}:{i}"]);
            }
        }

        for (var i = 0; i < KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(KnownNetworks[i], out _))
            {
                yield return new ValidationResult("is not a network in CIDR form, such as 10.0.0.0/8.", [$"{nameof(KnownNetworks)}:{i}"]);
            }
        }

        foreach (var (name, account) in LocalAccounts)
        {
            if (!PasswordHash.IsWellFormed(account.PasswordHash))
            {
                yield return new ValidationResult(
                    "is not a password hash made by `dotnet run --project src/StepUpDown.Worker --no-launch-profile -- hash-password`.",
                    [$"{nameof(LocalAccounts)}:{name}:{nameof(LocalAccountOptions.PasswordHash)}"]);
            }
        }
    }
}

/// <summary>One local account.</summary>
public sealed class LocalAccountOptions
{
    /// <summary>The salted PBKDF2 hash of the password (never the password itself).</summary>
    [Required]
    public string PasswordHash { get; set; } = "";

    /// <summary><c>viewer</c> (read only) or <c>admin</c> (may retry, delete and trigger jobs).</summary>
    [Required]
    [RegularExpression("^(viewer|admin)$", ErrorMessage = "must be viewer or admin.")]
    public string Role { get; set; } = DashboardRoles.Viewer;
}

/// <summary>Sign-in through the council's OpenID Connect provider.</summary>
public sealed class OidcOptions : IValidatableObject
{
    /// <summary>False only for a test provider on plain HTTP; the provider's address must otherwise be HTTPS.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The provider's issuer address.</summary>
    [Required]
    public Uri? Authority { get; set; }

    /// <summary>This application's client id there.</summary>
    [Required]
    public string ClientId { get; set; } = "";

    /// <summary>Its client secret (from a secret store or the environment).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The claim that carries the user's groups or roles.</summary>
    [Required]
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The claim value that makes a user an admin.</summary>
    [Required]
    public string AdminValue { get; set; } = "stepupdown-admin";

    /// <summary>The claim value that makes a user a viewer.</summary>
    [Required]
    public string ViewerValue { get; set; } = "stepupdown-viewer";

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequireHttpsMetadata && Authority is { } authority && authority.Scheme != Uri.UriSchemeHttps)
        {
            yield return new ValidationResult("must be an https address (RequireHttpsMetadata=false is for test providers only).", [nameof(Authority)]);
        }
    }
}

/// <summary>The dashboard's two roles.</summary>
public static class DashboardRoles
{
    /// <summary>Sees everything, changes nothing.</summary>
    public const string Viewer = "viewer";

    /// <summary>May also retry, delete and trigger jobs.</summary>
    public const string Admin = "admin";
}

/// <summary>
/// <c>Dashboard:DataProtection</c>: a certificate that encrypts the key ring in the database, so
/// that read access to the database alone cannot forge a signed-in cookie. Every instance needs
/// the same certificate (its private key included).
/// </summary>
public sealed class KeyRingOptions
{
    /// <summary>A PKCS#12 (.pfx) file with the certificate and its private key; none: the key ring is stored unencrypted (ASP.NET Core warns at start-up).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The .pfx file's password, if it has one.</summary>
    public string? CertificatePassword { get; set; }
}
