using System.Security.Claims;
using System.Threading.RateLimiting;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Worker.Dashboard;

/// <summary>
/// The Hangfire dashboard behind a sign-in: a cookie after signing in with a local account
/// (<c>/signin</c>) or through the council's OpenID Connect provider, and two roles. Every
/// dashboard route, its API included, needs a signed-in viewer or admin: the endpoint requires
/// it (anonymous browsers are sent to sign in, other callers get 401), and so does Hangfire's own
/// authorization filter, which replaces its default <c>LocalRequestsOnlyAuthorizationFilter</c>
/// (that one trusts any loopback caller, a reverse proxy on the same host included). Viewers get
/// Hangfire's read-only mode: no buttons, and its commands answer 401.
/// </summary>
public static partial class DashboardAccess
{
    private const string Policy = "dashboard";
    private const string SignInPath = "/signin";
    private const string SignOutPath = "/signout";
    private const string SignInRateLimit = "signin";
    private const string DeviceCookie = "StepUpDown.Device";
    private const string DeviceCookiePurpose = "StepUpDown.Dashboard.DeviceCookie";
    private static int _stylesheetAdded;

    /// <summary>Registers authentication, the roles' policy and the sign-in rate limit.</summary>
    public static IHostApplicationBuilder AddDashboardAccess(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<DashboardOptions>(builder.Configuration, DashboardOptions.SectionName);
        var options = builder.Configuration.GetSection(DashboardOptions.SectionName).Get<DashboardOptions>() ?? new DashboardOptions();

        // Secure whenever the request is https (as the known proxy says), always when RequireHttps.
        var secure = options.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        builder.AddReverseProxy(options);
        builder.AddDataProtectionKeys();
        var authentication = builder.Services
            .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = "StepUpDown.Dashboard";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = secure;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = false;
                cookie.LoginPath = SignInPath;
                cookie.AccessDeniedPath = SignInPath;
                cookie.Events.OnRedirectToLogin = context => RedirectBrowsersOnly(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => RedirectBrowsersOnly(context, StatusCodes.Status403Forbidden);
            });
        if (options.Oidc is { } oidc)
        {
            authentication.AddOpenIdConnect(openId =>
            {
                openId.Authority = oidc.Authority?.ToString();
                openId.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                openId.ClientId = oidc.ClientId;
                openId.ClientSecret = oidc.ClientSecret;
                openId.ResponseType = "code";
                openId.UsePkce = true;
                openId.SaveTokens = false;

                // Claims keep the provider's names, so RoleClaim ("roles", "groups") is found as
                // configured: by default the handler renames "roles" to ClaimTypes.Role.
                openId.MapInboundClaims = false;
                openId.TokenValidationParameters.NameClaimType = "name";
                openId.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                openId.Events.OnTokenValidated = context =>
                {
                    context.Principal = WithDashboardRole(context.Principal!, oidc);
                    return Task.CompletedTask;
                };
            });
        }

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.RequireAuthenticatedUser().RequireRole(DashboardRoles.Viewer, DashboardRoles.Admin));
        builder.Services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.HttpOnly = true;
            antiforgery.Cookie.SameSite = SameSiteMode.Lax;
            antiforgery.Cookie.SecurePolicy = secure;
        });
        builder.Services.AddSingleton<SignInGuard>();

        // Per client address: the connection's, or the one a known proxy forwarded (AddReverseProxy).
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(SignInRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.SignInAttemptsPerAddress, Window = TimeSpan.FromMinutes(1) }));
        });
        return builder;
    }

    /// <summary>Maps the sign-in pages and the dashboard (nothing is mapped when nobody can sign in).</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        app.UseReverseProxy();
        app.Use(WithSecurityHeaders);
        app.Use(InBritishEnglish);
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        if (!options.HasSignIn)
        {
            LogNoAccounts(app.Logger);
            return app;
        }

        app.MapGet(SignInPath, (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            Results.Content(SignInPage.Render(antiforgery.GetAndStoreTokens(context), returnUrl, failed: false, options.Oidc is not null), "text/html; charset=utf-8"));
        app.MapPost(SignInPath, SignInAsync).RequireRateLimiting(SignInRateLimit);
        app.MapGet(SignOutPath, (HttpContext context, IAntiforgery antiforgery) =>
            Results.Content(SignInPage.RenderSignOut(antiforgery.GetAndStoreTokens(context)), "text/html; charset=utf-8"));
        app.MapPost(SignOutPath, async (HttpContext context, IAntiforgery antiforgery) =>
        {
            // A form post only: another site cannot sign a member of staff out.
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest();
            }

            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect(SignInPath);
        });
        if (options.Oidc is not null)
        {
            app.MapGet("/signin/oidc", (string? returnUrl) => Results.Challenge(
                new AuthenticationProperties { RedirectUri = LocalOrDefault(returnUrl, options.Path) }, [OpenIdConnectDefaults.AuthenticationScheme]));
        }

        DashboardActions.Map(app, options.Path);
        DashboardMenu.RegisterAll(app.Services.GetServices<StepUpDown.Integration.Dashboard.DashboardView>(), SignOutPath);
        if (Interlocked.Exchange(ref _stylesheetAdded, 1) == 0)
        {
            // Hangfire keeps its stylesheets in a static list: once per process, however many hosts.
            Hangfire.GlobalConfiguration.Configuration.UseDashboardStylesheet(typeof(DashboardAccess).Assembly, "StepUpDown.Worker.Dashboard.accessible.css");
        }

        app.MapHangfireDashboard(options.Path, new Hangfire.DashboardOptions
        {
            Authorization = [new SignedInAuthorizationFilter()],
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsInRole(DashboardRoles.Admin),
            DisplayStorageConnectionString = false,
            DashboardTitle = "Step Up / Step Down jobs",
            AppPath = null,
        }).RequireAuthorization(Policy);
        return app;
    }

    /// <summary>
    /// Pages say what language they are in (WCAG 3.1.1): Hangfire's layout writes the UI culture's
    /// language into <c>&lt;html lang&gt;</c>, and the invariant culture's is no language ("iv").
    /// </summary>
    private static Task InBritishEnglish(HttpContext context, Func<Task> next)
    {
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo("en-GB");
        return next();
    }

    /// <summary>
    /// On every response (dashboard, sign-in, API, health): no framing by another site
    /// (clickjacking), no content-type sniffing, no copy kept in a browser's or proxy's cache (pages
    /// list children's case ids), and no referrer sent on.
    /// </summary>
    private static Task WithSecurityHeaders(HttpContext context, Func<Task> next)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        });
        return next();
    }

    /// <summary>Maps the provider's groups onto the two roles; a user in neither gets no role and no dashboard.</summary>
    private static ClaimsPrincipal WithDashboardRole(ClaimsPrincipal principal, OidcOptions oidc)
    {
        var values = principal.FindAll(oidc.RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var role = values.Contains(oidc.AdminValue) ? DashboardRoles.Admin : values.Contains(oidc.ViewerValue) ? DashboardRoles.Viewer : null;
        if (role is not null && principal.Identity is ClaimsIdentity identity)
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        }

        return principal;
    }

    /// <summary>
    /// Only a path on this site is followed after sign-in (no open redirect): it starts with one
    /// <c>/</c>, and holds no backslash and no control character (browsers drop tabs and line
    /// breaks, so <c>/\t/evil.example</c> would become <c>//evil.example</c>).
    /// </summary>
    internal static string LocalOrDefault(string? returnUrl, string fallback) =>
        returnUrl is { Length: > 0 } && returnUrl[0] == '/' && !returnUrl.StartsWith("//", StringComparison.Ordinal)
        && !returnUrl.Any(c => c == '\\' || char.IsControl(c))
            ? returnUrl
            : fallback;

    /// <summary>Browsers asking for a page go to sign in; anything else (the dashboard's API, scripts) gets the status.</summary>
    private static Task RedirectBrowsersOnly(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var accept = context.Request.Headers.Accept.ToString();
        if (HttpMethods.IsGet(context.Request.Method) && accept.Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = status;
        }

        return Task.CompletedTask;
    }

    /// <summary>Hangfire's own check, in case the endpoint's is ever bypassed: a signed-in viewer or admin.</summary>
    private sealed class SignedInAuthorizationFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var user = context.GetHttpContext().User;
            return user.Identity?.IsAuthenticated == true && (user.IsInRole(DashboardRoles.Viewer) || user.IsInRole(DashboardRoles.Admin));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No dashboard accounts are configured (Dashboard:LocalAccounts, Dashboard:Oidc): the dashboard is not served")]
    private static partial void LogNoAccounts(ILogger logger);
}
