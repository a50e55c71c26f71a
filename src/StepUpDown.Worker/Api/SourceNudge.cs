using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.CaseFeeds;

namespace StepUpDown.Worker.Api;

/// <summary>
/// <c>POST /api/v1/sources/{source}/nudge</c>: a case system says it has changes, and the worker
/// polls it now (<see cref="SourcePolls"/>) instead of at the next scheduled poll. The caller
/// proves it is the source with the source's own credential (<c>ApiKey</c> or <c>BearerToken</c>
/// under <c>CaseFeeds:Sources</c>), in <c>X-Api-Key</c> or <c>Authorization: Bearer</c>. A body
/// is allowed and never read: the poll reads the feed, so a nudge carries no data to trust.
/// Answers 202 (a poll follows), 401 (no key, or not this source's), 404 (no such source, for a
/// caller holding some source's key), 429 (over <c>NudgesPerSecond</c>, with Retry-After).
/// The contract: <c>docs/source-nudge.v1.yaml</c>.
/// </summary>
public static partial class SourceNudge
{
    /// <summary>Maps the endpoint.</summary>
    public static WebApplication MapSourceNudge(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SourceNudge));
        app.MapPost("/api/v1/sources/{source}/nudge", (HttpContext context, string source, SourcePolls nudges, IOptions<CaseFeedOptions> feeds) =>
        {
            var presented = Hash(PresentedKey(context.Request));
            var holders = feeds.Value.Sources
                .Where(s => CryptographicOperations.FixedTimeEquals(presented, Hash(s.Value.ApiKey ?? s.Value.BearerToken)))
                .Select(s => s.Key)
                .ToList();
            var named = feeds.Value.Sources.Keys.FirstOrDefault(key => string.Equals(key, source, StringComparison.OrdinalIgnoreCase));
            if (holders.Count == 0)
            {
                LogRefused(logger, named ?? "(not configured)", "no key, or a key of no source");
                return Results.Unauthorized();
            }

            if (named is null)
            {
                LogRefused(logger, "(not configured)", "no source of that name");
                return Results.NotFound();
            }

            if (!holders.Contains(named, StringComparer.Ordinal))
            {
                LogRefused(logger, named, "the key is another source's");
                return Results.Unauthorized();
            }

            switch (nudges.Nudge(named))
            {
                case NudgeOutcome.Accepted:
                    return Results.Accepted(value: new { source = named, poll = "queued" });
                case NudgeOutcome.TooMany:
                    context.Response.Headers.RetryAfter = "1";
                    return Results.StatusCode(StatusCodes.Status429TooManyRequests);
                default:
                    return Results.NotFound();
            }
        });
        return app;
    }

    /// <summary>The key in <c>X-Api-Key</c>, else the token in <c>Authorization: Bearer</c>; empty when neither.</summary>
    private static string PresentedKey(HttpRequest request)
    {
        var key = request.Headers["X-Api-Key"].ToString();
        if (key.Length > 0)
        {
            return key;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : "";
    }

    /// <summary>A fixed-length digest, so the comparison takes the same time whatever the lengths; an empty key matches nothing.</summary>
    private static byte[] Hash(string? key) =>
        string.IsNullOrEmpty(key) ? new byte[SHA256.HashSizeInBytes] : SHA256.HashData(Encoding.UTF8.GetBytes(key));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A nudge of source {Source} was refused: {Why}")]
    private static partial void LogRefused(ILogger logger, string source, string why);
}
