using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Npgsql;
using StepUpDown.Integration.Handovers;

namespace StepUpDown.Worker.Dashboard;

/// <summary>
/// The "Mark dealt with" action of the dashboard's Replies needing a person page: admins only, a
/// form post with the antiforgery token, and who and when recorded on the reply.
/// </summary>
internal static class ReplyActions
{
    public static void Map(WebApplication app, string dashboardPath) =>
        app.MapPost(RepliesPage.DealtWithPath, async (HttpContext context, IAntiforgery antiforgery, NpgsqlDataSource dataSource, TimeProvider time) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest();
            }

            var form = await context.Request.ReadFormAsync();
            if (!long.TryParse(form["id"], System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                return Results.BadRequest();
            }

            await using var connection = await dataSource.OpenConnectionAsync();
            await HandoverReplies.DealtWithAsync(connection, id, context.User.Identity?.Name ?? "unknown", time.GetUtcNow());
            return Results.Redirect($"{dashboardPath}{RepliesPage.Route}");
        }).RequireAuthorization(policy => policy.RequireAuthenticatedUser().RequireRole(DashboardRoles.Admin));
}
