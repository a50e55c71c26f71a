using Hangfire.Dashboard;
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
