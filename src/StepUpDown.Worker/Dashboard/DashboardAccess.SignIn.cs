using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace StepUpDown.Worker.Dashboard;

/// <summary>A local account's sign-in: the password checked in fixed time, the limits per address and account, the trusted-device cookie.</summary>
public static partial class DashboardAccess
{
    private static async Task<IResult> SignInAsync(
        HttpContext context,
        [FromForm] string? account,
        [FromForm] string? password,
        [FromForm] string? returnUrl,
        IAntiforgery antiforgery,
        IOptions<DashboardOptions> options,
        SignInGuard guard,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(DashboardAccess));
        var name = (account ?? "").Trim();
        var devices = context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(DeviceCookiePurpose);
        var trusted = IsTrustedDevice(context, devices, name);
        if (!guard.TryAttempt(name, trusted))
        {
            LogTooManyAttempts(logger, context.Connection.RemoteIpAddress);
            return Results.StatusCode(StatusCodes.Status429TooManyRequests);
        }

        var known = options.Value.LocalAccounts.TryGetValue(name, out var local) ? local : null;
        var verified = await guard.VerifyAsync(known, password ?? "", context.RequestAborted);
        if (verified is null)
        {
            guard.GiveBack(name, trusted);
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        if (verified == false)
        {
            // The password is never logged; an unknown name is not either (it may be anything typed).
            LogSignInRefused(logger, known is null ? "an unknown account" : name, context.Connection.RemoteIpAddress);
            return Results.Content(SignInPage.Render(antiforgery.GetAndStoreTokens(context), returnUrl, failed: true, options.Value.Oidc is not null), "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
        }

        guard.GiveBack(name, trusted);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, known!.Role)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        context.Response.Cookies.Append(DeviceCookie, devices.Protect(DeviceKey(name)), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = SignInPath,
            MaxAge = TimeSpan.FromDays(90),
        });
        LogSignedIn(logger, name, known.Role);
        return Results.Redirect(LocalOrDefault(returnUrl, options.Value.Path));
    }

    /// <summary>True when the request carries this browser's device cookie for <paramref name="account"/>: it signed in to it here before.</summary>
    private static bool IsTrustedDevice(HttpContext context, IDataProtector devices, string account)
    {
        if (context.Request.Cookies[DeviceCookie] is not { Length: > 0 } cookie)
        {
            return false;
        }

        try
        {
            return string.Equals(devices.Unprotect(cookie), DeviceKey(account), StringComparison.Ordinal);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private static string DeviceKey(string account) => account.Trim().ToUpperInvariant();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard sign-in refused for {Account} from {RemoteAddress}")]
    private static partial void LogSignInRefused(ILogger logger, string account, IPAddress? remoteAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard sign-in refused from {RemoteAddress}: too many attempts for that account name")]
    private static partial void LogTooManyAttempts(ILogger logger, IPAddress? remoteAddress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard sign-in: {Account} as {Role}")]
    private static partial void LogSignedIn(ILogger logger, string account, string role);
}
