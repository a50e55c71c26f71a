using StepUpDown.Domain.Records;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Finds the recipients of roles another capability names (the ladder's managers, from its own
/// directories and settings), so that Notifications knows none of its types.
/// </summary>
public interface IRoleDirectory
{
    /// <summary>The recipient of <paramref name="role"/> for this record; null when the role is not one of this directory's.</summary>
    /// <exception cref="PermanentDeliveryException">The role is this directory's but names nobody to write to.</exception>
    Recipient? Find(string role, ChildRecord record);
}
