using System.Globalization;
using Dapper;
using Hangfire.Dashboard.Pages;
using Microsoft.Extensions.DependencyInjection;
using StepUpDown.Integration.Dashboard;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// A dashboard page of the delivery ledger: the last day's figures, every notification not
/// delivered (with its delivery job, where it has one), and the last ones sent. Most notices are
/// sent by the dispatch itself and have no job of their own, so this page, not the job lists, is
/// where ops staff see them. Children are named only by their case-system ids, recipients by role.
/// </summary>
internal sealed class NotificationsPage : DashboardPage
{
    private const string SelectRows =
        """
        SELECT n.created_at AS CreatedAt, s.source, s.child_id AS ChildId, s.kind, n.recipient_role AS RecipientRole, n.template,
               n.state, n.attempts, n.last_error AS LastError, n.job_id AS JobId, n.sent_at AS SentAt
          FROM stepupdown.notifications n JOIN stepupdown.steps s ON s.id = n.step_id
        """;

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public override void Execute()
    {
        Layout = new LayoutPage("Notifications");
        using var connection = OpenConnection();
        var lastDay = connection.Query<(string State, long Count)>(
            "SELECT state, count(*) FROM stepupdown.notifications WHERE created_at > now() - interval '1 day' GROUP BY state ORDER BY state").AsList();
        var undelivered = connection.Query<Row>($"{SelectRows} WHERE n.state <> {NotificationStates.Sql(NotificationState.Sent)} ORDER BY n.created_at DESC LIMIT 100").AsList();
        var sent = connection.Query<Row>($"{SelectRows} WHERE n.state = {NotificationStates.Sql(NotificationState.Sent)} ORDER BY n.created_at DESC LIMIT 50").AsList();

        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Notifications</h1><p>Last 24 hours: ");
        Write(lastDay.Count == 0 ? "none" : string.Join(", ", lastDay.Select(s => $"{s.Count} {s.State}")));
        WriteLiteral(".</p>");
        Table(
            "Not delivered (newest first)",
            ["Created", "Source", "Child id", "Step", "Recipient", "Template", "State", "Attempts", "Last error", "Delivery job"],
            undelivered.Select(row => new object?[]
            {
                Time(row.CreatedAt), row.Source, row.ChildId, row.Kind, row.RecipientRole, row.Template, row.State, row.Attempts, row.LastError,
                row.JobId is { } job && long.TryParse(job, CultureInfo.InvariantCulture, out _) ? new JobLink(job) : row.JobId,
            }));
        Table(
            "Recently sent",
            ["Created", "Source", "Child id", "Step", "Recipient", "Template", "Attempts", "Sent after"],
            sent.Select(row => new object?[]
            {
                Time(row.CreatedAt), row.Source, row.ChildId, row.Kind, row.RecipientRole, row.Template, row.Attempts,
                row.SentAt is { } at ? $"{(at - row.CreatedAt).TotalSeconds.ToString("N1", EnGb)} s" : null,
            }));
        WriteLiteral("</div></div>");
    }

    private static string Time(DateTime utc) => utc.ToString("d MMM HH:mm:ss 'UTC'", EnGb);

    private sealed record Row(
        DateTime CreatedAt, string Source, string ChildId, string Kind, string RecipientRole, string? Template,
        string State, int Attempts, string? LastError, string? JobId, DateTime? SentAt);
}
