using System.Globalization;
using Dapper;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using Npgsql;

namespace StepUpDown.Worker.Dashboard;

/// <summary>
/// A dashboard page of open handovers (stalled first: a ladder stage sent) and the last ones
/// closed. It names children only by their case-system ids; the case system holds the rest.
/// </summary>
internal sealed class HandoversPage : RazorPage
{
    private const string Route = "/handovers";
    private static int _registered;

    /// <summary>Adds the page and its menu item to Hangfire's dashboard (once per process).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        DashboardRoutes.Routes.AddRazorPage(Route, _ => new HandoversPage());
        NavigationMenu.Items.Add(page => new MenuItem("Handovers", page.Url.To(Route)) { Active = page.RequestPath.StartsWith(Route, StringComparison.Ordinal) });
    }

    public override void Execute()
    {
        Layout = new LayoutPage("Handovers");
        var dataSource = Context.GetHttpContext().RequestServices.GetRequiredService<NpgsqlDataSource>();
        using var connection = dataSource.OpenConnection();
        var open = connection.Query<Row>(
            """
            SELECT source, child_id AS ChildId, planned, started_on AS StartedOn, working_days AS WorkingDays,
                   last_stage AS LastStage, array_to_string(missing, ', ') AS Missing, state, closed_reason AS ClosedReason
              FROM stepupdown.handovers WHERE state = 'open'
             ORDER BY last_stage DESC NULLS LAST, started_on
            """).AsList();
        var closed = connection.Query<Row>(
            """
            SELECT source, child_id AS ChildId, planned, started_on AS StartedOn, working_days AS WorkingDays,
                   last_stage AS LastStage, '' AS Missing, state, closed_reason AS ClosedReason
              FROM stepupdown.handovers WHERE state <> 'open'
             ORDER BY closed_at DESC LIMIT 50
            """).AsList();

        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Handovers</h1>");
        WriteLiteral($"<p>{open.Count(r => r.LastStage is not null)} stalled (a ladder stage sent) of {open.Count} open.</p>");
        Table("Open", open, closedColumns: false);
        Table("Recently closed", closed, closedColumns: true);
        WriteLiteral("</div></div>");
    }

    private void Table(string title, IList<Row> rows, bool closedColumns)
    {
        WriteLiteral($"<h3>{title}</h3><table class=\"table\"><thead><tr><th>Source</th><th>Child id</th><th>Kind</th><th>Started</th><th>Working days</th><th>Ladder stage sent</th><th>");
        WriteLiteral(closedColumns ? "Outcome" : "Missing");
        WriteLiteral("</th></tr></thead><tbody>");
        foreach (var row in rows)
        {
            WriteLiteral("<tr><td>");
            Write(row.Source);
            WriteLiteral("</td><td>");
            Write(row.ChildId);
            WriteLiteral("</td><td>");
            Write(row.Planned ? "agreed" : "unplanned");
            WriteLiteral("</td><td>");
            Write(row.StartedOn.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB")));
            WriteLiteral("</td><td>");
            Write(row.WorkingDays);
            WriteLiteral("</td><td>");
            Write(row.LastStage is { } stage ? (stage + 1).ToString(CultureInfo.InvariantCulture) : "none");
            WriteLiteral("</td><td>");
            Write(closedColumns ? $"{row.State}{(row.ClosedReason is null ? "" : $": {row.ClosedReason}")}" : row.Missing);
            WriteLiteral("</td></tr>");
        }

        WriteLiteral("</tbody></table>");
    }

    private sealed record Row(
        string Source, string ChildId, bool Planned, DateOnly StartedOn, int? WorkingDays, int? LastStage, string Missing, string State, string? ClosedReason);
}
