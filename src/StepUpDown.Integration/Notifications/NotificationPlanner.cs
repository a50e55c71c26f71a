using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.CaseFeeds;

namespace StepUpDown.Integration.Notifications;

/// <summary>Turns a record's steps into delivery ledger rows, by <see cref="NotificationRules"/>.</summary>
public sealed class NotificationPlanner(IOptions<MailOptions> mail)
{
    /// <summary>
    /// The ledger rows for the steps one record showed: one per (step, recipient role), each with
    /// a deterministic id and Message-Id. A GP is never written to about a child whose NHS number
    /// is missing or invalid: the MASSH is asked to resolve the match instead.
    /// </summary>
    public IEnumerable<NotificationToStore> Plan(IReadOnlyList<DetectedStep> steps, ChildRecord record)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(record);
        var gpAllowed = NhsNumber.IsValid(record.NhsNumber);
        foreach (var step in steps)
        {
            foreach (var rule in NotificationRules.All.Where(r => r.AppliesTo(step, steps)))
            {
                var role = rule.Role == RecipientRoles.Gp && !gpAllowed ? RecipientRoles.MasshNhsMatch : rule.Role;
                var id = IdFor(step.Id, role);
                yield return new NotificationToStore(id, step.Id, role, $"{id:N}@{mail.Value.MessageIdDomain}");
            }
        }
    }

    /// <summary>The same (step, recipient role) always gives the same notification id.</summary>
    public static Guid IdFor(Guid stepId, string recipientRole) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{stepId:N}\n{recipientRole}")).AsSpan(0, 16));
}
