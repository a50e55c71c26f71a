using Microsoft.AspNetCore.Antiforgery;
using Npgsql;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Notifications;

namespace StepUpDown.Worker.Dashboard;

/// <summary>
/// The admins' actions of the dashboard's pages, each a form post with the antiforgery token,
/// allowed to the admin role only, with who and when recorded on what it acted on: "Mark dealt
/// with" on Replies needing a person; "Retry now", "Give up" and "Mark dealt with" on Notifications.
/// </summary>
internal static class DashboardActions
{
    public static void Map(WebApplication app, string dashboardPath)
    {
        MapAction(app, RepliesPage.DealtWithPath, $"{dashboardPath}{RepliesPage.Route}", async (services, id, admin) =>
        {
            if (!long.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out var replyId))
            {
                return false;
            }

            await using var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
            await HandoverReplies.DealtWithAsync(connection, replyId, admin, services.GetRequiredService<TimeProvider>().GetUtcNow());
            return true;
        });
        var notifications = $"{dashboardPath}{NotificationsPage.Route}";
        MapNoticeAction(app, NotificationsPage.RetryNowPath, notifications, (ledger, _, id, admin) => ledger.RetryNowAsync(id, admin));
        MapNoticeAction(app, NotificationsPage.GiveUpPath, notifications, (ledger, services, id, admin) =>
            ledger.GiveUpNowAsync(id, admin, services.GetRequiredService<NotificationPlanner>().Undelivered));
        MapNoticeAction(app, NotificationsPage.DealtWithPath, notifications, async (ledger, _, id, admin) =>
        {
            await ledger.MarkDealtWithAsync(id, admin);
            return false; // nothing to send
        });
    }

    /// <summary>
    /// Maps an action on one notice: <paramref name="act"/> gets the ledger, the notice's id and the
    /// admin's name, and says whether a notice is now due (retried, or the MASSH's notice added), so
    /// that the dispatch runs at once.
    /// </summary>
    private static void MapNoticeAction(
        WebApplication app, string path, string backTo, Func<NotificationLedger, IServiceProvider, Guid, string, Task<bool>> act) =>
        MapAction(app, path, backTo, async (services, id, admin) =>
        {
            if (!Guid.TryParse(id, out var notificationId))
            {
                return false;
            }

            if (await act(services.GetRequiredService<NotificationLedger>(), services, notificationId, admin))
            {
                services.GetRequiredService<INotificationDispatcher>().ScheduleDispatch();
            }

            return true;
        });

    /// <summary>Maps one admin action: <paramref name="act"/> gets the posted id and the admin's name, and says whether the id was one it reads.</summary>
    private static void MapAction(WebApplication app, string path, string backTo, Func<IServiceProvider, string, string, Task<bool>> act) =>
        app.MapPost(path, async (HttpContext context, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest();
            }

            var form = await context.Request.ReadFormAsync();
            return await act(context.RequestServices, form["id"].ToString(), context.User.Identity?.Name ?? "unknown")
                ? Results.Redirect(backTo)
                : Results.BadRequest();
        }).RequireAuthorization(policy => policy.RequireAuthenticatedUser().RequireRole(DashboardRoles.Admin));
}
