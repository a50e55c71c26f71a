using Hangfire.Dashboard;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

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
/// <param name="Load">
/// For a page whose figures take a while: reads them, awaited before the page is written (which
/// Hangfire does synchronously), so no request thread waits on the database; the page finds them
/// with <see cref="DashboardPage.Loaded{T}"/>. Null for a page that reads nothing slow.
/// </param>
/// <param name="Count">
/// A count the menu item shows beside its title, as Hangfire shows its Retries, red when above
/// zero (failed notices, say); read from the database each time the menu is drawn. Null: none.
/// </param>
public sealed record DashboardView(
    string Route, string? MenuTitle, Func<RazorPage>? Page, IDashboardDispatcher? Download, Func<DashboardContext, Task<object>>? Load = null, Func<NpgsqlConnection, long>? Count = null);

/// <summary>Registers dashboard views.</summary>
public static class DashboardViews
{
    /// <summary>Adds a page and its menu item, with <paramref name="count"/> beside its title if given.</summary>
    public static IServiceCollection AddDashboardPage(
        this IServiceCollection services, string route, string menuTitle, Func<RazorPage> page, Func<NpgsqlConnection, long>? count = null) =>
        services.AddSingleton(new DashboardView(route, menuTitle, page, null, Count: count));

    /// <summary>Adds a page whose data <paramref name="load"/> reads asynchronously before it is written, and its menu item.</summary>
    public static IServiceCollection AddDashboardPage<TLoaded>(
        this IServiceCollection services, string route, string menuTitle, Func<DashboardContext, Task<TLoaded>> load, Func<RazorPage> page)
        where TLoaded : class =>
        services.AddSingleton(new DashboardView(route, menuTitle, page, null, async context => await load(context)));

    /// <summary>Adds a download (a CSV, say) with no menu item.</summary>
    public static IServiceCollection AddDashboardDownload(this IServiceCollection services, string route, IDashboardDispatcher download) =>
        services.AddSingleton(new DashboardView(route, null, null, download));
}
