using Dapper;
using Npgsql;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Handovers;

/// <summary>A reply waiting for a person, as the dashboard lists it: no name, no address, no text.</summary>
/// <param name="Id">The row.</param>
/// <param name="ReceivedAt">When it was read.</param>
/// <param name="HandoverId">The handover its address named, when that handover exists.</param>
/// <param name="Kind">How it read (<see cref="ReplyKind"/>).</param>
/// <param name="Outcome">Why it waits (<see cref="ReplyOutcome"/>).</param>
/// <param name="SenderDomain">The sender's domain.</param>
public sealed record WaitingReply(long Id, DateTime ReceivedAt, Guid? HandoverId, string Kind, string Outcome, string? SenderDomain);

/// <summary>
/// The owner of <c>stepupdown.handover_replies</c>: every reply read, once, with what it did. The
/// reply mailbox writes them, the dashboard lists those that wait for a person and marks them dealt
/// with, the audit trail and the report read them. An instance writes in one <see cref="UnitOfWork"/>
/// (the reply's, with its handover's answer); the dashboard's reads are over a connection of its own.
/// </summary>
public sealed class HandoverReplies(UnitOfWork work)
{
    /// <summary>Claims a reply by its Message-Id's hash; false when it was read before.</summary>
    internal async Task<bool> ClaimAsync(string messageHash) =>
        await work.ExecuteAsync(
            """
            INSERT INTO stepupdown.handover_replies (message_hash, received_at, kind, outcome, from_proposed_lead)
            VALUES (@messageHash, @now, '', '', false) ON CONFLICT (message_hash) DO NOTHING
            """,
            new { messageHash, now = work.Now }) == 1;

    /// <summary>Records what a claimed reply was and did.</summary>
    internal Task RecordAsync(string messageHash, Guid? handoverId, ReplyKind kind, ReplyOutcome outcome, string? senderDomain, bool fromProposedLead) =>
        work.ExecuteAsync(
            """
            UPDATE stepupdown.handover_replies
               SET handover_id = @handoverId, kind = @kind, outcome = @outcome, sender_domain = @senderDomain, from_proposed_lead = @fromProposedLead,
                   dealt_with_at = CASE WHEN @forAPerson THEN NULL ELSE received_at END
             WHERE message_hash = @messageHash
            """,
            new { messageHash, handoverId, kind = kind.ToString(), outcome = outcome.ToString(), senderDomain, fromProposedLead, forAPerson = ReplyDecision.NeedsAPerson(outcome) });

    /// <summary>The replies waiting for a person, oldest first.</summary>
    public static async Task<IReadOnlyList<WaitingReply>> WaitingAsync(NpgsqlConnection connection) =>
        (await connection.QueryAsync<WaitingReply>(
            """
            SELECT id, received_at AS ReceivedAt, handover_id AS HandoverId, kind, outcome, sender_domain AS SenderDomain
              FROM stepupdown.handover_replies WHERE dealt_with_at IS NULL ORDER BY received_at, id LIMIT 500
            """)).AsList();

    /// <summary>The oldest reply waiting for a person, and how many wait.</summary>
    public static Task<(DateTime? Oldest, long Count)> SummaryAsync(NpgsqlConnection connection) =>
        connection.QuerySingleAsync<(DateTime?, long)>("SELECT min(received_at), count(*) FROM stepupdown.handover_replies WHERE dealt_with_at IS NULL");

    /// <summary>Marks a reply dealt with by <paramref name="who"/>; false when it was not waiting.</summary>
    public static async Task<bool> DealtWithAsync(NpgsqlConnection connection, long id, string who, DateTimeOffset now) =>
        await connection.ExecuteAsync(
            "UPDATE stepupdown.handover_replies SET dealt_with_at = @now, dealt_with_by = @who WHERE id = @id AND dealt_with_at IS NULL",
            new { id, who, now }) == 1;
}
