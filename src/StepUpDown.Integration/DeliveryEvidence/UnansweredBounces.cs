using Dapper;
using Npgsql;
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Notifications;

namespace StepUpDown.Integration.DeliveryEvidence;

/// <summary>A recipient whose last notice bounced and who has had none delivered since: flagged until one is.</summary>
/// <param name="RecipientRole">Whose address it is (gp, lead, massh, a manager's role).</param>
/// <param name="Address">The address; shown for a GP practice only (an organisation's mailbox, not a person's).</param>
/// <param name="Status">The report's status code.</param>
/// <param name="BouncedAt">When the bounce was read.</param>
public sealed record UnansweredBounce(string RecipientRole, string? Address, string? Status, DateTime BouncedAt);

/// <summary>
/// The bounces nobody has answered yet: a bounce is answered once a later notice to the same
/// address is delivered (the practice's mailbox working again), or one to the same recipient of
/// the same child (the directory or the case record corrected to another address).
/// </summary>
public static class UnansweredBounces
{
    private static readonly string Unanswered =
        $"""
        FROM stepupdown.notifications b JOIN stepupdown.steps bs ON bs.id = b.step_id
        WHERE b.state = {NotificationStates.Sql(NotificationState.Bounced)}
          AND NOT EXISTS (SELECT 1 FROM stepupdown.notifications later
                           WHERE later.recipient_address = b.recipient_address AND later.state = {NotificationStates.Sql(NotificationState.Sent)} AND later.sent_at > b.bounced_at)
          AND NOT EXISTS (SELECT 1 FROM stepupdown.notifications later JOIN stepupdown.steps ls ON ls.id = later.step_id
                           WHERE ls.source = bs.source AND ls.child_id = bs.child_id AND later.recipient_role = b.recipient_role
                             AND later.state = {NotificationStates.Sql(NotificationState.Sent)} AND later.sent_at > b.bounced_at)
        """;

    /// <summary>The oldest unanswered bounce's time and how many there are.</summary>
    public static Task<(DateTime? Oldest, long Count)> SummaryAsync(NpgsqlConnection connection) =>
        connection.QuerySingleAsync<(DateTime?, long)>($"SELECT min(b.bounced_at), count(*) {Unanswered}");

    /// <summary>The newest <paramref name="limit"/> unanswered bounces, one per address (synchronous: Hangfire writes its pages so).</summary>
    public static IReadOnlyList<UnansweredBounce> List(NpgsqlConnection connection, int limit) =>
        connection.Query<UnansweredBounce>(
            $"""
            SELECT RecipientRole, Address, Status, BouncedAt FROM (
                SELECT DISTINCT ON (b.recipient_address) b.recipient_role AS RecipientRole,
                       CASE WHEN b.recipient_role = '{RecipientRoles.Gp}' THEN b.recipient_address END AS Address,
                       b.report_status AS Status, b.bounced_at AS BouncedAt
                {Unanswered}
                ORDER BY b.recipient_address, b.bounced_at DESC) AS latest
            ORDER BY BouncedAt DESC LIMIT @limit
            """,
            new { limit }).AsList();
}
