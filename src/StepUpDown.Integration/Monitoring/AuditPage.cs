using System.Globalization;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Dashboard;
using StepUpDown.Integration.Handovers;

namespace StepUpDown.Integration.Monitoring;

/// <summary>
/// A child's audit trail, found by case-system id (<c>?source=&amp;id=</c>) or by the reference a
/// notice carries (<c>?reference=</c>): the linked records, every step, notice and handover in
/// order, and each handover's checklist. Ids, codes and roles only; no names.
/// </summary>
internal sealed class AuditPage : DashboardPage
{
    public const string Route = "/audit";
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Reads the trail asked for (if enough is given to ask), before the page is written.</summary>
    public static async Task<Asked> LoadAsync(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        string? Given(string key) => string.IsNullOrWhiteSpace(http.Request.Query[key]) ? null : http.Request.Query[key].ToString().Trim();
        var (source, childId, reference) = (Given("source"), Given("id"), Given("reference"));
        var trail = (source is null || childId is null) && reference is null
            ? null
            : await http.RequestServices.GetRequiredService<AuditTrails>().FindAsync(source, childId, reference, http.RequestAborted);
        return new Asked(source, childId, reference, trail);
    }

    public override void Execute()
    {
        Layout = new LayoutPage("Audit trail");
        var (source, childId, reference, trail) = Loaded<Asked>();

        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Audit trail</h1>");
        WriteLiteral($"<form method=\"get\" action=\"{Url.To(Route)}\" class=\"form-inline\"><label for=\"source\">Source</label> <input id=\"source\" name=\"source\" value=\"");
        Write(source);
        WriteLiteral("\"> <label for=\"id\">Child id</label> <input id=\"id\" name=\"id\" value=\"");
        Write(childId);
        WriteLiteral("\"> <label for=\"reference\">or notice reference</label> <input id=\"reference\" name=\"reference\" value=\"");
        Write(reference);
        WriteLiteral("\"> <button type=\"submit\" class=\"btn btn-default btn-sm\">Find</button></form>");

        if ((source is null || childId is null) && reference is null)
        {
            WriteLiteral("<p>Give a case system and the child's id there, or the reference a notice carries.</p></div></div>");
            return;
        }

        if (trail is null)
        {
            WriteLiteral("<p id=\"not-found\">The worker holds nothing for that child or reference.</p></div></div>");
            return;
        }

        Table("Records", ["Source", "Child id", "Level", "Open"], trail.Records.Select(r => new object?[] { r.Source, r.ChildId, r.Level, r.Open ? "open" : "closed" }));
        Table("Handovers", ["Reference", "Source", "Child id", "Kind", "Started", "Working days", "Ladder stage sent", "Checklist", "State"],
            trail.Handovers.Select(h => new object?[]
            {
                h.Reference, h.Source, h.ChildId, h.Planned ? "agreed" : "unplanned", h.StartedOn.ToString("d MMM yyyy", EnGb), h.WorkingDays,
                h.LastStage is { } stage ? (stage + 1).ToString(CultureInfo.InvariantCulture) : "none",
                h.Missing.Length == 0 ? "every item holds" : $"missing: {h.Missing}",
                h.ClosedReason is null ? h.State : $"{h.State}: {h.ClosedReason}",
            }));
        // Times as the council's staff read them, in its own time zone.
        var council = Http.RequestServices.GetRequiredService<IOptions<HandoverOptions>>().Value;
        Table("What happened, in order", [$"When ({council.TimeZone})", "Reference", "Source", "Child id", "What", "Outcome"],
            trail.Events.Select(e => new object?[] { LocalTime(council, e.At), e.Reference, e.Source, e.ChildId, e.What, e.State }));
        WriteLiteral("</div></div>");
    }

    /// <summary>What was asked for, and the trail found; null when not enough was given, or nothing is held.</summary>
    public sealed record Asked(string? Source, string? ChildId, string? Reference, AuditTrail? Trail);

    /// <summary>A stored UTC instant on the council's clock.</summary>
    private static string LocalTime(HandoverOptions council, DateTime utc) =>
        council.LocalAt(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc))).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
