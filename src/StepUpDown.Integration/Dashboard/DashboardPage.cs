using Hangfire.Dashboard;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace StepUpDown.Integration.Dashboard;

/// <summary>What our own pages on Hangfire's dashboard share: the request, the database, a table.</summary>
public abstract class DashboardPage : RazorPage
{
    /// <summary>The ASP.NET Core request the dashboard serves.</summary>
    protected HttpContext Http => Context.GetHttpContext();

    /// <summary>The key under which a view's <see cref="DashboardView.Load"/> leaves what it read in the request's items.</summary>
    public static readonly object LoadedKey = new();

    /// <summary>What the view's <see cref="DashboardView.Load"/> read for this request.</summary>
    protected T Loaded<T>() => (T)Http.Items[LoadedKey]!;

    /// <summary>A connection to the worker's database.</summary>
    protected NpgsqlConnection OpenConnection() => Http.RequestServices.GetRequiredService<NpgsqlDataSource>().OpenConnection();

    /// <summary>Writes a titled table; every cell is HTML-encoded, except the forms of <see cref="Actions"/>.</summary>
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
                if (cell is Actions actions)
                {
                    foreach (var action in actions.Forms)
                    {
                        ActionForm(action.Path, action.Id, action.Label);
                    }
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

    /// <summary>
    /// Writes a form that posts <paramref name="id"/> to <paramref name="path"/> with the request's
    /// antiforgery token: an admin's action (the worker maps the path, for admins only).
    /// </summary>
    protected void ActionForm(string path, string id, string label)
    {
        var token = Http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(Http);
        WriteLiteral($"<form method=\"post\" action=\"{path}\"><input type=\"hidden\" name=\"{token.FormFieldName}\" value=\"");
        Write(token.RequestToken);
        WriteLiteral("\"><input type=\"hidden\" name=\"id\" value=\"");
        Write(id);
        WriteLiteral("\"><button type=\"submit\" class=\"btn btn-default btn-sm\">");
        Write(label);
        WriteLiteral("</button></form> ");
    }

    /// <summary>A cell of admin's action forms (see <see cref="ActionForm"/>).</summary>
    protected sealed record Actions(IReadOnlyList<(string Path, string Id, string Label)> Forms);
}
