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
            if (view.Load is { } load)
            {
                DashboardRoutes.Routes.Add(route, new LoadedFirst(load, RazorDispatcher(route, create)));
            }
            else
            {
                DashboardRoutes.Routes.AddRazorPage(route, _ => create());
            }

            var count = view.Count is { } read ? new DashboardMetric($"count:{route}", page => Counted(page, read)) : null;
            if (count is not null)
            {
                DashboardMetrics.AddMetric(count); // so the dashboard's own refresh of its figures updates it too
            }

            NavigationMenu.Items.Add(page => new MenuItem(view.MenuTitle, page.Url.To(route)) { Active = page.RequestPath.StartsWith(route, StringComparison.Ordinal), Metric = count });
        }

        if (Once(signOutPath))
        {
            // Outside the dashboard's own routes: a page with the sign-out form (sign-out is a POST with its token).
            NavigationMenu.Items.Add(_ => new MenuItem("Sign out", signOutPath));
        }
    }

    /// <summary>A view's count as Hangfire draws a menu item's figure: red when above zero, as its own Failed and Retries.</summary>
    private static Metric Counted(RazorPage page, Func<Npgsql.NpgsqlConnection, long> read)
    {
        using var connection = page.Context.GetHttpContext().RequestServices.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnection();
        var value = read(connection);
        return new Metric(value) { Style = value > 0 ? MetricStyle.Danger : MetricStyle.Default, Highlighted = value > 0 };
    }

    /// <summary>Hangfire's own dispatcher for a razor page (it alone may hand the page its context).</summary>
    private static IDashboardDispatcher RazorDispatcher(string route, Func<RazorPage> create)
    {
        var routes = new Hangfire.Dashboard.RouteCollection();
        routes.AddRazorPage(route, _ => create());
        return routes.FindDispatcher(route).Item1;
    }

    private static bool Once(string key)
    {
        lock (Registered)
        {
            return Registered.Add(key);
        }
    }
}

/// <summary>Awaits a view's <see cref="DashboardView.Load"/>, leaves what it read for the page, then writes the page.</summary>
internal sealed class LoadedFirst(Func<DashboardContext, Task<object>> load, IDashboardDispatcher page) : IDashboardDispatcher
{
    public async Task Dispatch(DashboardContext context)
    {
        context.GetHttpContext().Items[DashboardPage.LoadedKey] = await load(context);
        await page.Dispatch(context);
    }
}
