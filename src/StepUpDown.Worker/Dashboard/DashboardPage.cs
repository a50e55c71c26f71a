using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using Npgsql;

namespace StepUpDown.Worker.Dashboard;

/// <summary>What our own pages on Hangfire's dashboard share: registration, the database, a table.</summary>
internal abstract class DashboardPage : RazorPage
{
    private static readonly HashSet<string> Registered = [];

    /// <summary>The pages of ours, and a link to sign out, added to Hangfire's dashboard once per process.</summary>
    public static void RegisterAll(string signOutPath)
    {
        Register("/notifications", "Notifications", () => new NotificationsPage());
        Register("/handovers", "Handovers", () => new HandoversPage());
        Register(MonitoringPage.Route, "Monitoring", () => new MonitoringPage());
        Register(AuditPage.Route, "Audit trail", () => new AuditPage());
        lock (Registered)
        {
            if (Registered.Add(MonitoringPage.CsvRoute))
            {
                DashboardRoutes.Routes.Add(MonitoringPage.CsvRoute, new MonitoringCsv());
            }

            if (Registered.Add(signOutPath))
            {
                // Outside the dashboard's own routes: a page with the sign-out form (sign-out is a POST with its token).
                NavigationMenu.Items.Add(_ => new MenuItem("Sign out", signOutPath));
            }
        }
    }

    private static void Register(string route, string title, Func<RazorPage> create)
    {
        lock (Registered)
        {
            if (!Registered.Add(route))
            {
                return;
            }
        }

        DashboardRoutes.Routes.AddRazorPage(route, _ => create());
        NavigationMenu.Items.Add(page => new MenuItem(title, page.Url.To(route)) { Active = page.RequestPath.StartsWith(route, StringComparison.Ordinal) });
    }

    /// <summary>The ASP.NET Core request the dashboard serves.</summary>
    protected HttpContext Http => Context.GetHttpContext();

    protected NpgsqlConnection OpenConnection() => Http.RequestServices.GetRequiredService<NpgsqlDataSource>().OpenConnection();

    /// <summary>Writes a titled table; every cell is HTML-encoded, except links made with <see cref="JobLink"/>.</summary>
    protected void Table(string title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<object?>> rows)
    {
        WriteLiteral($"<h3>{title}</h3><table class=\"table\"><thead><tr>");
        foreach (var header in headers)
        {
            WriteLiteral("<th>");
            Write(header);
            WriteLiteral("</th>");
        }

        WriteLiteral("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            WriteLiteral("<tr>");
            foreach (var cell in row)
            {
                WriteLiteral("<td>");
                if (cell is JobLink link)
                {
                    WriteLiteral($"<a href=\"{Url.JobDetails(link.JobId)}\">");
                    Write(link.JobId);
                    WriteLiteral("</a>");
                }
                else
                {
                    Write(cell);
                }

                WriteLiteral("</td>");
            }

            WriteLiteral("</tr>");
        }

        WriteLiteral("</tbody></table>");
    }

    /// <summary>A cell that links to a Hangfire job's page.</summary>
    protected sealed record JobLink(string JobId);
}
