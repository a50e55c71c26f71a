using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.Notifications;

/// <summary>Turns the notices <see cref="NotificationRules"/> decides into delivery ledger rows.</summary>
public sealed class NotificationPlanner(IOptions<MailOptions> mail)
{
    private const string MasshUndeliveredTemplate = "massh-undelivered";

    /// <summary>
    /// The ledger rows for the steps one record showed: one per (step, recipient role), each with
    /// a deterministic id and Message-Id.
    /// </summary>
    /// <param name="steps">The steps.</param>
    /// <param name="gpAllowed">The child has a usable NHS number; otherwise the MASSH is asked to match instead of the GP.</param>
    public IEnumerable<NotificationToStore> Plan(IReadOnlyList<DetectedStep> steps, bool gpAllowed) =>
        NotificationRules.For(steps, gpAllowed).Select(notice => Row(notice.Step.Id, notice.Role, notice.Template));

    /// <summary>The ledger rows of one ladder stage of a stalled handover: one per role the stage names.</summary>
    public IEnumerable<NotificationToStore> PlanStage(DetectedStep step, EscalationStage stage)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(stage);
        return stage.Roles.Select(role => Row(step.Id, role, stage.Template));
    }

    /// <summary>The MASSH's notice that <paramref name="failedRole"/> could not be written to about a step.</summary>
    public NotificationToStore Undelivered(Guid stepId, string failedRole) =>
        Row(stepId, RecipientRoles.MasshUndelivered(failedRole), MasshUndeliveredTemplate);

    private NotificationToStore Row(Guid stepId, string role, string template)
    {
        var id = IdFor(stepId, role);
        return new NotificationToStore(id, stepId, role, $"{id:N}@{mail.Value.MessageIdDomain}", template);
    }

    /// <summary>The same (step, recipient role) always gives the same notification id.</summary>
    public static Guid IdFor(Guid stepId, string recipientRole) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{stepId:N}\n{recipientRole}")).AsSpan(0, 16));
}
