using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Storage;

namespace StepUpDown.Integration.Notifications;

/// <summary>Turns a record's steps into delivery ledger rows, by <see cref="NotificationRules"/>.</summary>
public sealed class NotificationPlanner(IOptions<MailOptions> mail)
{
    private const string MasshNhsMatchTemplate = "massh-nhs-match";
    private const string MasshUndeliveredTemplate = "massh-undelivered";

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
                yield return rule.Role == RecipientRoles.Gp && !gpAllowed
                    ? Row(step.Id, RecipientRoles.MasshNhsMatch, MasshNhsMatchTemplate)
                    : Row(step.Id, rule.Role, rule.Template);
            }
        }
    }

    /// <summary>The ledger rows of one ladder stage of a stalled handover: one per role the stage names.</summary>
    public IEnumerable<NotificationToStore> PlanStage(DetectedStep step, EscalationStage stage)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(stage);
        return stage.Roles.Select(role => Row(step.Id, role, stage.Template));
    }

    /// <summary>The MASSH's notice that <paramref name="failedRole"/> could not be written to about a step.</summary>
    public NotificationToStore Undelivered(Guid stepId, string failedRole) =>
        Row(stepId, RecipientRoles.MasshUndeliveredPrefix + failedRole, MasshUndeliveredTemplate);

    private NotificationToStore Row(Guid stepId, string role, string template)
    {
        var id = IdFor(stepId, role);
        return new NotificationToStore(id, stepId, role, $"{id:N}@{mail.Value.MessageIdDomain}", template);
    }

    /// <summary>The same (step, recipient role) always gives the same notification id.</summary>
    public static Guid IdFor(Guid stepId, string recipientRole) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{stepId:N}\n{recipientRole}")).AsSpan(0, 16));
}
