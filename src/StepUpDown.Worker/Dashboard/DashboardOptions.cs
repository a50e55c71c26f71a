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

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
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
