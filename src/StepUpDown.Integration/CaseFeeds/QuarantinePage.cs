using System.Globalization;
using StepUpDown.Integration.Dashboard;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>
/// A dashboard page of the records set aside: each a child the worker cannot see until its case
/// system sends a version it can read. Source, case id and reason only (never the record).
/// </summary>
internal sealed class QuarantinePage : DashboardPage
{
    /// <summary>The page's path under the dashboard.</summary>
    public const string Route = "/quarantine";

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public override void Execute()
    {
        Layout = new Hangfire.Dashboard.Pages.LayoutPage("Quarantined records");
        using var connection = OpenConnection();
        var cases = QuarantinedRecords.List(connection, 500);
        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Quarantined records</h1>");
        WriteLiteral("<p>Each row is a child whose latest record from a case system could not be read or judged, so no step of theirs is seen: check each by hand in its case system. ");
        WriteLiteral("A row goes when the case system sends a version that can be read. The MASSH is sent this list every morning while it is not empty.</p>");
        Table(
            $"Unresolved ({cases.Count}{(cases.Count == 500 ? " shown" : "")})",
            ["Source", "Case id", "Why", "Since"],
            cases.Select(c => new object?[] { c.Source, c.ChildId ?? "(no readable case id)", c.Reason, c.Since.ToString("d MMM yyyy HH:mm 'UTC'", EnGb) }));
        WriteLiteral("</div></div>");
    }
}
