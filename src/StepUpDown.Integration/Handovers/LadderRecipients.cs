using Microsoft.Extensions.Options;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.Handovers;

/// <summary>
/// The ladder's recipients that no record names: the proposed lead's agency manager (from the
/// agency directory), the head of service and the TAC champion (<c>Handovers:HeadOfService</c>,
/// <c>Handovers:TacChampion</c>).
/// </summary>
internal sealed class LadderRecipients(AgencyDirectory agencies, IOptions<HandoverOptions> options) : IRoleDirectory
{
    public Recipient? Find(string role, ChildRecord record) => role switch
    {
        RecipientRoles.AgencyManager => AgencyManager(record.StepDown?.ProposedLeadProfessional),
        RecipientRoles.HeadOfService => new Recipient(options.Value.HeadOfService.Name, options.Value.HeadOfService.Email, null),
        RecipientRoles.TacChampion => new Recipient(options.Value.TacChampion.Name, options.Value.TacChampion.Email, null),
        _ => null,
    };

    private Recipient AgencyManager(Professional? proposedLead)
    {
        var agency = agencies.Find(proposedLead?.Agency)
            ?? throw new PermanentDeliveryException("The proposed lead professional's agency is not recorded or not in the agency directory.");
        return agency.ManagerEmail is { } email
            ? new Recipient(agency.ManagerName ?? $"{agency.Name} manager", email, null)
            : throw new PermanentDeliveryException($"The agency directory names no manager's email for agency '{agency.Code}'.");
    }
}
