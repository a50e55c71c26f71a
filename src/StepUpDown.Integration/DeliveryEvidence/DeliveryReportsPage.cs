using System.Globalization;
using Dapper;
using Hangfire.Dashboard.Pages;
using StepUpDown.Integration.Dashboard;
using StepUpDown.Integration.Notifications;

namespace StepUpDown.Integration.DeliveryEvidence;

/// <summary>
/// A dashboard page of what the bounce mailbox said: bounces and delays per recipient role over
/// the last 30 days, the bounced notices (the MASSH was told of each), and the messages that
/// matched no notice, kept in the mailbox's <c>Unmatched</c> folder for someone to read.
/// </summary>
internal sealed class DeliveryReportsPage : DashboardPage
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    public override void Execute()
    {
        Layout = new LayoutPage("Delivery reports");
        using var connection = OpenConnection();
        var perRole = connection.Query<(string Role, long Bounced, long Delayed)>(
            $"""
            SELECT recipient_role, count(*) FILTER (WHERE state = {NotificationStates.Sql(NotificationState.Bounced)}), count(*) FILTER (WHERE delayed_at IS NOT NULL AND state = {NotificationStates.Sql(NotificationState.Sent)})
              FROM stepupdown.notifications
             WHERE bounced_at > now() - interval '30 days' OR delayed_at > now() - interval '30 days'
             GROUP BY 1 ORDER BY 1
            """).AsList();
        var bounced = connection.Query<(DateTime At, string Source, string ChildId, string Role, string? Status)>(
            $"""
            SELECT n.bounced_at, COALESCE(s.source, 'weekly digest'), COALESCE(s.child_id, ''), n.recipient_role, n.report_status
              FROM stepupdown.notifications n LEFT JOIN stepupdown.steps s ON s.id = n.step_id
             WHERE n.state = {NotificationStates.Sql(NotificationState.Bounced)} ORDER BY n.bounced_at DESC LIMIT 100
            """).AsList();
        var flagged = UnansweredBounces.List(connection, 100);
        var unmatched = connection.Query<(DateTime At, string Kind, string? Status)>(
            "SELECT received_at, kind, status FROM stepupdown.unmatched_reports ORDER BY id DESC LIMIT 100").AsList();

        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Delivery reports</h1>");
        WriteLiteral("<p>Sent means the relay accepted a notice. A report of failure read from the bounce mailbox makes it bounced: it no longer counts as told, and the MASSH is told.</p>");
        Table("Last 30 days, by recipient", ["Recipient", "Bounced", "Delayed"], perRole.Select(r => new object?[] { r.Role, r.Bounced, r.Delayed }));
        Table(
            "Bounced notices (newest first)",
            ["Reported", "Source", "Child id", "Recipient", "Status", "Usually means"],
            bounced.Select(r => new object?[] { Time(r.At), r.Source, r.ChildId, r.Role, r.Status, BounceReasons.Meaning(r.Status) }));
        Table(
            "Flagged: the last notice bounced and none has been delivered to them since",
            ["Recipient", "Practice mailbox", "Status", "Bounced"],
            flagged.Select(f => new object?[] { f.RecipientRole, f.Address, f.Status, Time(f.BouncedAt) }));
        Table(
            $"Matched no notice: in the mailbox's {BounceMailbox.UnmatchedFolder} folder (newest first)",
            ["Read", "What", "Status"],
            unmatched.Select(r => new object?[] { Time(r.At), r.Kind, r.Status }));
        WriteLiteral("</div></div>");
    }

    private static string Time(DateTime utc) => utc.ToString("d MMM HH:mm:ss 'UTC'", EnGb);
}
