using Microsoft.Extensions.Options;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Finds the mailbox for a recipient role from the record that showed the step, the GP directory
/// and configuration. No address, an invalid one, or one outside the secure-domain allow-list is a
/// <see cref="PermanentDeliveryException"/> that names the role, never the address's owner.
/// </summary>
public sealed class RecipientResolver(
    GpDirectory gpDirectory,
    SecureDomains secureDomains,
    IOptions<NotificationOptions> options,
    IEnumerable<IRoleDirectory> directories)
{
    /// <summary>The recipient of <paramref name="role"/> for this record.</summary>
    /// <param name="role">The recipient role.</param>
    /// <param name="record">The record the notice is written from.</param>
    /// <param name="subject">The step's subject: for the previous GP, the ODS code of the practice the child left.</param>
    /// <param name="cancellationToken">Cancels a directory look-up.</param>
    public async Task<Recipient> ResolveAsync(string role, ChildRecord record, string? subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var recipient = role switch
        {
            RecipientRoles.Gp => await GpAsync(record.GpPractice?.OdsCode, cancellationToken),
            RecipientRoles.PreviousGp => await GpAsync(subject, cancellationToken),
            _ when RecipientRoles.IsMassh(role) => new Recipient("MASSH", options.Value.MasshEmail, null),
            RecipientRoles.LeadProfessional => Person(record.LeadProfessional, role),
            RecipientRoles.ProposedLead => Person(record.StepDown?.ProposedLeadProfessional, role),
            RecipientRoles.TeamManager => record.AllocatedTeam?.ManagerEmail is { } manager
                ? new Recipient(record.AllocatedTeam.ManagerName ?? "Team manager", manager, null)
                : throw new PermanentDeliveryException("The record names no allocated team manager's email."),
            _ => directories.Select(directory => directory.Find(role, record)).FirstOrDefault(found => found is not null)
                 ?? throw new PermanentDeliveryException($"Unknown recipient role '{role}'."),
        };

        // Refused here, for good: a bad address would otherwise fail when the message is built,
        // where it would look transient and be retried for hours.
        return secureDomains.Check(recipient.Address) switch
        {
            AddressVerdict.NotAnAddress => throw new PermanentDeliveryException($"The {role}'s email address is not a valid address."),
            AddressVerdict.NotAllowed => throw new PermanentDeliveryException($"The {role}'s email domain is not on the secure-domain allow-list; nothing was sent."),
            _ => recipient,
        };
    }

    private async Task<Recipient> GpAsync(string? odsCode, CancellationToken cancellationToken)
    {
        var practice = await gpDirectory.FindAsync(odsCode, cancellationToken);
        return practice?.SecureEmail is { } mailbox
            ? new Recipient(practice.Name, mailbox, practice)
            : throw new PermanentDeliveryException($"No secure mailbox in the GP directory for the child's GP practice (ODS code '{odsCode}').");
    }

    private static Recipient Person(Professional? professional, string role) =>
        professional?.Email is { } email
            ? new Recipient(professional.Name, email, null)
            : throw new PermanentDeliveryException($"The record names no email address for the {role}.");
}
