using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StepUpDown.Domain.Detection;
using StepUpDown.Integration.CaseFeeds;

namespace StepUpDown.Integration.Notifications;

/// <summary>Who is told of a step. This first slice tells the child's GP practice of every step up and down.</summary>
public sealed class NotificationPlanner(IOptions<MailOptions> mail)
{
    /// <summary>The role of a child's GP practice as a recipient.</summary>
    public const string GpRole = "gp";

    /// <summary>The ledger rows for a step: one per recipient, each with a deterministic id and Message-Id.</summary>
    public IEnumerable<NotificationToStore> Plan(DetectedStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var id = IdFor(step.Id, GpRole);
        yield return new NotificationToStore(id, step.Id, GpRole, $"{id:N}@{mail.Value.MessageIdDomain}");
    }

    /// <summary>The same (step, recipient role) always gives the same notification id.</summary>
    public static Guid IdFor(Guid stepId, string recipientRole) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{stepId:N}\n{recipientRole}")).AsSpan(0, 16));
}
