using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StepUpDown.Domain.Detection;
using StepUpDown.Integration.CaseFeeds;

namespace StepUpDown.Integration.Notifications;

/// <summary>
/// Who is told of a step. So far: the child's GP practice, of every step up and step down
/// (the other rows of the design's table come with the notification rules).
/// </summary>
public sealed class NotificationPlanner(IOptions<MailOptions> mail)
{
    /// <summary>The role of a child's GP practice as a recipient.</summary>
    public const string GpRole = "gp";

    /// <summary>The ledger rows for a step: one per recipient, each with a deterministic id and Message-Id.</summary>
    public IEnumerable<NotificationToStore> Plan(DetectedStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Kind is not (StepKind.StepUp or StepKind.StepDown))
        {
            yield break;
        }

        var id = IdFor(step.Id, GpRole);
        yield return new NotificationToStore(id, step.Id, GpRole, $"{id:N}@{mail.Value.MessageIdDomain}");
    }

    /// <summary>The same (step, recipient role) always gives the same notification id.</summary>
    public static Guid IdFor(Guid stepId, string recipientRole) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{stepId:N}\n{recipientRole}")).AsSpan(0, 16));
}
