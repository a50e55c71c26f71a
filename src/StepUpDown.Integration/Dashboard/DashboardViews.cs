using Hangfire.Dashboard;
using Microsoft.Extensions.DependencyInjection;

namespace StepUpDown.Integration.Dashboard;

/// <summary>
/// A view a capability adds to the dashboard: a page with its menu item, or a download. Each
/// capability registers its own (<c>AddNotifications</c>, <c>AddHandovers</c>, <c>AddMonitoring</c>);
/// the host maps whatever is registered.
/// </summary>
/// <param name="Route">The path under the dashboard, e.g. <c>/handovers</c>.</param>
/// <param name="MenuTitle">The menu item's title; null for a download, which has none.</param>
/// <param name="Page">Makes the page for a request; null for a download.</param>
/// <param name="Download">Answers a download; null for a page.</param>
public sealed record DashboardView(string Route, string? MenuTitle, Func<RazorPage>? Page, IDashboardDispatcher? Download);

/// <summary>Registers dashboard views.</summary>
public static class DashboardViews
{
    /// <summary>Adds a page and its menu item.</summary>
    public static IServiceCollection AddDashboardPage(this IServiceCollection services, string route, string menuTitle, Func<RazorPage> page) =>
        services.AddSingleton(new DashboardView(route, menuTitle, page, null));

    /// <summary>Adds a download (a CSV, say) with no menu item.</summary>
    public static IServiceCollection AddDashboardDownload(this IServiceCollection services, string route, IDashboardDispatcher download) =>
        services.AddSingleton(new DashboardView(route, null, null, download));
}
