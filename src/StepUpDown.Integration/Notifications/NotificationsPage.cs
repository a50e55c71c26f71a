using System.Globalization;
using Dapper;
using Hangfire.Dashboard.Pages;
using StepUpDown.Integration.Dashboard;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// A dashboard page of the delivery ledger, where ops act on notices (no notice is a job of its
/// own): the last day's figures; the notices failed (until marked dealt with) or waiting for their
/// next attempt, by role, step kind, reason, attempts and next attempt, with "Retry now", "Give up"
/// and "Mark dealt with" for admins; the
/// ones on their way; and the last ones sent. No name, no address: a notice is known by its
/// step's reference, a child by its case-system id only where ops need to find the record.
/// </summary>
public sealed class NotificationsPage : DashboardPage
{
    /// <summary>The page's path under the dashboard.</summary>
    public const string Route = "/notifications";

    /// <summary>Where "Retry now" posts (the worker maps it, for admins only).</summary>
    public const string RetryNowPath = "/dashboard-actions/notifications/retry-now";

    /// <summary>Where "Mark dealt with" posts (the worker maps it, for admins only).</summary>
    public const string DealtWithPath = "/dashboard-actions/notifications/dealt-with";

    /// <summary>Where "Give up" posts (the worker maps it, for admins only).</summary>
    public const string GiveUpPath = "/dashboard-actions/notifications/give-up";

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <inheritdoc />
    public override void Execute()
    {
        Layout = new LayoutPage("Notifications");
        using var connection = OpenConnection();
        var lastDay = connection.Query<(string State, long Count)>(
            "SELECT state, count(*) FROM stepupdown.notifications WHERE created_at > now() - interval '1 day' GROUP BY state ORDER BY state").AsList();
        var needingAction = connection.Query<ActionRow>(
            $"""
            SELECT n.id, n.step_id AS StepId, s.source, COALESCE(s.kind, '{NoStep}') AS Kind, n.recipient_role AS RecipientRole, n.state, n.failure_kind AS FailureKind,
                   n.last_error AS LastError, n.attempts, n.next_attempt_at AS NextAttemptAt, n.action, n.action_by AS ActionBy, n.action_at AS ActionAt
              FROM stepupdown.notifications n LEFT JOIN stepupdown.steps s ON s.id = n.step_id
             WHERE ({NotificationLedger.FailedNotDealtWith})
                OR ({NotificationLedger.Waiting})
             ORDER BY n.state, n.created_at DESC LIMIT 200
            """).AsList();
        var onTheirWay = connection.QuerySingle<long>(
            $"SELECT count(*) FROM stepupdown.notifications WHERE state IN ({NotificationStates.Sql(NotificationStates.Undelivered)}) AND {NotificationLedger.Due}");
        var sent = connection.Query<SentRow>(
            $"""
            SELECT n.created_at AS CreatedAt, s.source, s.child_id AS ChildId, COALESCE(s.kind, '{NoStep}') AS Kind, n.recipient_role AS RecipientRole, n.template, n.attempts,
                   n.sent_at AS SentAt
              FROM stepupdown.notifications n LEFT JOIN stepupdown.steps s ON s.id = n.step_id
             WHERE n.state = {NotificationStates.Sql(NotificationState.Sent)} ORDER BY n.created_at DESC LIMIT 50
            """).AsList();

        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Notifications</h1><p>Last 24 hours: ");
        Write(lastDay.Count == 0 ? "none" : string.Join(", ", lastDay.Select(s => $"{s.Count} {s.State}")));
        WriteLiteral(". On their way now: ");
        Write(onTheirWay);
        WriteLiteral(".</p><p>A failed notice has been told to the MASSH, who makes sure its recipient hears. Please retry one only once its cause is mended (the relay, an address in the case system); give one up, or mark a failed one dealt with, only when its recipient has been told another way.</p>");
        var admin = !IsReadOnly;
        string[] headers = ["Reference", "Source", "Step", "Recipient", "State", "Why", "Attempts", "Next attempt", "Last action"];
        Table(
            "Failed, or waiting for their next attempt",
            admin ? [.. headers, "Action"] : headers,
            needingAction.Select(row =>
            {
                object?[] cells =
                [
                    row.StepId is { } step ? Notice.ReferenceOf(step) : null, row.Source, row.Kind, row.RecipientRole, row.State, Why(row), row.Attempts,
                    row.NextAttemptAt is { } next ? Time(next) : null,
                    row.Action is null ? null : $"{row.Action} by {row.ActionBy} at {Time(row.ActionAt!.Value)}",
                ];
                return admin ? [.. cells, ActionsOf(row)] : cells;
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

    /// <summary>The reason, led by its kind: the ledger's reasons name codes, never addresses or content.</summary>
    private static string? Why(ActionRow row) => row.FailureKind is null ? row.LastError : $"{row.FailureKind}: {row.LastError}";

    private static Actions ActionsOf(ActionRow row)
    {
        var id = row.Id.ToString();
        return row.State == NotificationStates.Column(NotificationState.Failed)
            ? new Actions([(RetryNowPath, id, "Retry now"), (DealtWithPath, id, "Mark dealt with")])
            : new Actions([(RetryNowPath, id, "Retry now"), (GiveUpPath, id, "Give up")]);
    }

    /// <summary>What the Step column says of a notice about no one step.</summary>
    private const string NoStep = "weekly digest";

    private static string Time(DateTime utc) => utc.ToString("d MMM HH:mm:ss 'UTC'", EnGb);

    private sealed record ActionRow(
        Guid Id, Guid? StepId, string? Source, string Kind, string RecipientRole, string State, string? FailureKind, string? LastError,
        int Attempts, DateTime? NextAttemptAt, string? Action, string? ActionBy, DateTime? ActionAt);

    private sealed record SentRow(
        DateTime CreatedAt, string? Source, string? ChildId, string Kind, string RecipientRole, string? Template, int Attempts, DateTime? SentAt);
}
