using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Npgsql;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.ChildRecords;
using StepUpDown.Integration.Monitoring;
using StepUpDown.Integration.Storage;
using StepUpDown.Worker.Dashboard;

namespace StepUpDown.Worker.Api;

/// <summary>The child's current lead professional across the case systems, as the MASSH asks for it.</summary>
/// <param name="Source">The case system of the record that holds the lead.</param>
/// <param name="ChildId">That record's id there.</param>
/// <param name="Level">That record's level on the continuum.</param>
/// <param name="CaseOpen">False when no linked record is open (the last lead is given, for contact).</param>
/// <param name="Lead">Who leads; null when the record names nobody.</param>
/// <param name="Accepted">The lead has accepted the role (not only proposed).</param>
/// <param name="Since">When the lead accepted, else when the record last changed.</param>
/// <param name="Records">Every linked record: source, id, level and whether it is open.</param>
public sealed record LeadAnswer(
    string Source, string ChildId, string Level, bool CaseOpen, LeadView? Lead, bool Accepted, DateOnly? Since, IReadOnlyList<LinkedRecord> Records);

/// <summary>A lead professional's contact details.</summary>
public sealed record LeadView(string Name, string? Role, string? Agency, string? Email, string? Phone);

/// <summary>One of the child's records in one case system.</summary>
public sealed record LinkedRecord(string Source, string ChildId, string Level, bool Open);

/// <summary>
/// <c>GET /api/v1/lead-professional?source=S&amp;id=ID</c> (or <c>?nhsNumber=N</c>): who leads the
/// child now, across sources, by the same rules as the notices (the highest open linked record's
/// lead; records linked by a usable NHS number or an external id). For a signed-in dashboard user,
/// or a caller with one of <c>Dashboard:ApiKeys</c> in <c>X-Api-Key</c>; at most
/// <c>Dashboard:LookupsPerMinute</c> per caller; every lookup recorded (<see cref="LookupLog"/>).
/// </summary>
public static class LeadLookup
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>Maps the endpoint.</summary>
    public static WebApplication MapLeadLookup(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var perMinute = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.LookupsPerMinute;
        var limiter = PartitionedRateLimiter.Create<string, string>(caller => RateLimitPartition.GetFixedWindowLimiter(
            caller, _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1) }));
        app.Lifetime.ApplicationStopped.Register(limiter.Dispose);
        app.MapGet("/api/v1/lead-professional", async (HttpContext context, string? source, string? id, string? nhsNumber,
            NpgsqlDataSource dataSource, ContinuumOfNeed continuum, LookupLog log, IOptions<DashboardOptions> options) =>
        {
            if (CallerOf(context, options.Value) is not { } caller)
            {
                return Results.Unauthorized();
            }

            using (var lease = limiter.AttemptAcquire(caller))
            {
                if (!lease.IsAcquired)
                {
                    return Results.StatusCode(StatusCodes.Status429TooManyRequests);
                }
            }

            if ((source is null || id is null) && nhsNumber is null)
            {
                return Results.BadRequest(new { error = "Give source and id, or nhsNumber." });
            }

            var number = nhsNumber?.Replace(" ", "", StringComparison.Ordinal);
            if (source is null && !NhsNumber.IdentifiesAChild(number))
            {
                // A number failing Modulus 11, or a placeholder such as 0000000000, links no records: it would name an arbitrary child.
                return Results.BadRequest(new { error = "This NHS number identifies nobody (it fails the Modulus 11 check or is a placeholder): ask by source and id." });
            }

            var found = await FindAsync(dataSource, continuum, source, id, number, context.RequestAborted);
            // Who asked about which child, and when: the record answered from, or the one asked about; never the number asked by.
            await log.RecordAsync(caller, found.Answer?.Source ?? source, found.Answer?.ChildId ?? id, found.Answer is not null, context.RequestAborted);
            return found switch
            {
                { Ambiguous: true } => Results.Conflict(new { error = "Two children in one case system hold this NHS number, so it identifies nobody: ask by source and id." }),
                { Answer: null } => Results.NotFound(),
                _ => Results.Ok(found.Answer),
            };
        });
        return app;
    }

    /// <summary>
    /// Who is asking: a signed-in viewer or admin (<c>dashboard:NAME</c>), or the caller whose
    /// configured API key was presented (<c>api-key:NAME</c>; keys compared as SHA-256 hashes, in
    /// fixed time whatever their length); null for anyone else.
    /// </summary>
    private static string? CallerOf(HttpContext context, DashboardOptions options)
    {
        if (context.User.IsInRole(DashboardRoles.Viewer) || context.User.IsInRole(DashboardRoles.Admin))
        {
            return $"dashboard:{context.User.Identity?.Name}";
        }

        var presented = context.Request.Headers["X-Api-Key"].ToString();
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var holder = options.ApiKeys.Where(key => CryptographicOperations.FixedTimeEquals(given, SHA256.HashData(Encoding.UTF8.GetBytes(key.Value)))).ToList();
        return presented.Length > 0 && holder.Count > 0 ? $"api-key:{holder[0].Key}" : null;
    }

    private static async Task<Found> FindAsync(
        NpgsqlDataSource dataSource, ContinuumOfNeed continuum, string? source, string? childId, string? nhsNumber, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var work = await UnitOfWork.BeginReadingAsync(connection, cancellationToken);
        var search = await ChildLinks.FindAsync(work, continuum, source, childId, nhsNumber);
        if (search.Ambiguous)
        {
            return new Found(null, Ambiguous: true);
        }

        if (search.Asked is null)
        {
            return new Found(null);
        }

        var rows = search.Records;

        // The rule of the notices: the record that holds the case leads; with none open, the record asked about.
        var records = rows.Select(r => new SourceRecord(r.Row.Source, r.Record, r.Level)).ToList();
        var holder = CombinedView.Holder(records) is { } holding ? rows[records.IndexOf(holding)] : null;
        var shown = holder ?? search.Asked;
        var lead = shown.Record.LeadProfessional;
        return new Found(new LeadAnswer(
            shown.Row.Source,
            shown.Row.ChildId,
            shown.Level.Name,
            holder is not null,
            lead is null ? null : new LeadView(lead.Name, lead.Role, lead.Agency, lead.Email, lead.Phone),
            lead?.AcceptedOn is not null,
            lead?.AcceptedOn ?? (shown.Record.UpdatedAt is { } updated ? DateOnly.FromDateTime(updated.UtcDateTime) : null),
            rows.Select(r => new LinkedRecord(r.Row.Source, r.Row.ChildId, r.Level.Name, !r.Record.IsClosed)).ToList()));
    }

    private sealed record Found(LeadAnswer? Answer, bool Ambiguous = false);
}
