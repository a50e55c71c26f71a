using System.Globalization;
using Dapper;
using Hangfire.Dashboard.Pages;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Dashboard;

namespace StepUpDown.Integration.Handovers;

/// <summary>
/// A dashboard page of open handovers (stalled first: a ladder stage sent) and the last ones
/// closed. It names children only by their case-system ids; the case system holds the rest.
/// </summary>
internal sealed class HandoversPage : DashboardPage
{
    private static readonly string[] Headers = ["Source", "Child id", "Kind", "Started", "Working days", "Ladder stage sent"];

    public override void Execute()
    {
        Layout = new LayoutPage("Handovers");
        using var connection = OpenConnection();
        var open = connection.Query<Row>(
            $"""
            SELECT source, child_id AS ChildId, planned, started_on AS StartedOn, working_days AS WorkingDays,
                   last_stage AS LastStage,
                   replace(array_to_string(missing, ', '), 'LeadAccepted',
                           CASE WHEN accepted_by_reply_at IS NOT NULL THEN 'LeadAccepted (accepted by reply, to be recorded in the case system)' ELSE 'LeadAccepted' END) AS Missing,
                   state, closed_reason AS ClosedReason, review_error AS ReviewError
              FROM stepupdown.handovers WHERE state = {HandoverStates.Sql(HandoverState.Open)}
             ORDER BY review_error IS NULL, last_stage DESC NULLS LAST, started_on
            """).AsList();
        var closed = connection.Query<Row>(
            $"""
            SELECT source, child_id AS ChildId, planned, started_on AS StartedOn, working_days AS WorkingDays,
                   last_stage AS LastStage, '' AS Missing, state, closed_reason AS ClosedReason, NULL AS ReviewError
              FROM stepupdown.handovers WHERE state <> {HandoverStates.Sql(HandoverState.Open)}
             ORDER BY closed_at DESC LIMIT 50
            """).AsList();

        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Handovers</h1>");
        WriteLiteral($"<p>{open.Count(r => r.LastStage is not null)} stalled (a ladder stage sent) of {open.Count} open; " +
                     $"{open.Count(r => r.ReviewError is not null)} could not be reviewed at the last sweep (listed first).</p>");
        Table("Open", [.. Headers, "Missing"], open.Select(row => Cells(row, row.ReviewError is null ? row.Missing : $"NOT REVIEWED: {row.ReviewError}")));
        Table("Recently closed", [.. Headers, "Outcome"], closed.Select(row => Cells(row, row.ClosedReason is null ? row.State : $"{row.State}: {row.ClosedReason}")));
        WriteLiteral("</div></div>");
    }

    private static object?[] Cells(Row row, string last) =>
    [
        row.Source,
        row.ChildId,
        row.Planned ? "agreed" : "unplanned",
        row.StartedOn.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB")),
        row.WorkingDays,
        row.LastStage is { } stage ? (stage + 1).ToString(CultureInfo.InvariantCulture) : "none",
        last,
    ];

    private sealed record Row(
        string Source, string ChildId, bool Planned, DateOnly StartedOn, int? WorkingDays, int? LastStage, string Missing, string State, string? ClosedReason,
        string? ReviewError);
}
