using Hangfire.Dashboard;
using StepUpDown.Integration.Dashboard;

namespace StepUpDown.Worker.Dashboard;

/// <summary>
/// Puts the capabilities' <see cref="DashboardView"/>s, and a link to sign out, on Hangfire's
/// dashboard. Its routes and menu are static, so each is added once per process.
/// </summary>
internal static class DashboardMenu
{
    private static readonly HashSet<string> Registered = [];

    public static void RegisterAll(IEnumerable<DashboardView> views, string signOutPath)
    {
        foreach (var view in views)
        {
            if (!Once(view.Route))
            {
                continue;
            }

            if (view.Download is { } download)
            {
                DashboardRoutes.Routes.Add(view.Route, download);
                continue;
            }

            var (route, create) = (view.Route, view.Page!);
            DashboardRoutes.Routes.AddRazorPage(route, _ => create());
            NavigationMenu.Items.Add(page => new MenuItem(view.MenuTitle, page.Url.To(route)) { Active = page.RequestPath.StartsWith(route, StringComparison.Ordinal) });
        }

        if (Once(signOutPath))
        {
            // Outside the dashboard's own routes: a page with the sign-out form (sign-out is a POST with its token).
            NavigationMenu.Items.Add(_ => new MenuItem("Sign out", signOutPath));
        }
    }

    private static bool Once(string key)
    {
        lock (Registered)
        {
            return Registered.Add(key);
        }
    }
}
