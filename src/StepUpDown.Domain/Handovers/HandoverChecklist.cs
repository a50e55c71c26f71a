using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Handovers;

/// <summary>What a complete step down needs (design: "Handovers and escalation"; both seeds).</summary>
public enum ChecklistItem
{
    /// <summary>Agreed at a meeting (TAC, plan review, CP conference): <c>stepDown.agreedOn</c>.</summary>
    AgreedAtMeeting,

    /// <summary>Family consent recorded.</summary>
    FamilyConsent,

    /// <summary>SMART plan updated.</summary>
    SmartPlanUpdated,

    /// <summary>New lead professional identified.</summary>
    LeadIdentified,

    /// <summary>New lead professional accepted (<c>acceptedOn</c>).</summary>
    LeadAccepted,

    /// <summary>Updated plan shared in writing with the family and every professional.</summary>
    PlanShared,

    /// <summary>The case system records the lower level: the child's combined level has fallen since the agreement.</summary>
    LevelRecorded,

    /// <summary>GP notified of the current plan by this worker.</summary>
    GpNotified,
}

/// <summary>The checklist of one handover, from the agreed step down and what the worker knows.</summary>
public static class HandoverChecklist
{
    /// <summary>The items still missing, in checklist order. None missing: the handover is complete.</summary>
    /// <param name="agreement">The step down as last recorded; null for an unplanned step down nobody has recorded.</param>
    /// <param name="leadAccepted">A record of the child shows the proposed lead with <c>acceptedOn</c>.</param>
    /// <param name="gpNotified">The ledger shows the GP's step down notice sent.</param>
    /// <param name="levelRecorded">The child's combined level has fallen since the agreement.</param>
    public static IReadOnlyList<ChecklistItem> Missing(StepDownAgreement? agreement, bool leadAccepted, bool gpNotified, bool levelRecorded = true)
    {
        var holds = new Dictionary<ChecklistItem, bool>
        {
            [ChecklistItem.AgreedAtMeeting] = agreement?.AgreedOn is not null,
            [ChecklistItem.FamilyConsent] = agreement?.FamilyConsent == true,
            [ChecklistItem.SmartPlanUpdated] = agreement?.SmartPlanUpdatedOn is not null,
            [ChecklistItem.LeadIdentified] = agreement?.ProposedLeadProfessional is not null,
            [ChecklistItem.LeadAccepted] = leadAccepted,
            [ChecklistItem.PlanShared] = agreement?.PlanSharedOn is not null,
            [ChecklistItem.LevelRecorded] = levelRecorded,
            [ChecklistItem.GpNotified] = gpNotified,
        };
        return holds.Where(item => !item.Value).Select(item => item.Key).ToArray();
    }

    /// <summary>
    /// True when the proposed lead has accepted: on the agreement itself
    /// (<c>stepDown.proposedLeadProfessional.acceptedOn</c>), or as the lead professional of one of
    /// <paramref name="records"/>, with <c>acceptedOn</c>.
    /// </summary>
    public static bool LeadAccepted(StepDownAgreement? agreement, IEnumerable<ChildRecord> records) =>
        AcceptedLead(agreement, records) is not null;

    /// <summary>
    /// The proposed lead as accepted, where either place records it (a linked record's lead first:
    /// it carries their contacts as their own system holds them). An <c>acceptedOn</c> earlier
    /// than the agreement is an old acceptance of another episode: it does not count.
    /// </summary>
    public static Professional? AcceptedLead(StepDownAgreement? agreement, IEnumerable<ChildRecord> records) =>
        AcceptingRecord(agreement, records)?.LeadProfessional
        ?? (agreement?.ProposedLeadProfessional is { AcceptedOn: { } acceptedOn } proposed && CountsFor(agreement, acceptedOn) ? proposed : null);

    /// <summary>The record that shows the proposed lead as its accepted lead professional, if any.</summary>
    public static ChildRecord? AcceptingRecord(StepDownAgreement? agreement, IEnumerable<ChildRecord> records) =>
        agreement?.ProposedLeadProfessional is { } proposed
            ? records.FirstOrDefault(r => r.LeadProfessional is { AcceptedOn: { } acceptedOn } lead
                                          && lead.IsSamePersonAs(proposed)
                                          && CountsFor(agreement, acceptedOn))
            : null;

    private static bool CountsFor(StepDownAgreement agreement, DateOnly acceptedOn) => agreement.AgreedOn is null || acceptedOn >= agreement.AgreedOn;

    /// <summary>How an item reads in an email to a busy professional.</summary>
    public static string Describe(ChecklistItem item) => item switch
    {
        ChecklistItem.AgreedAtMeeting => "Step down agreed at a meeting (TAC, plan review or child protection conference)",
        ChecklistItem.FamilyConsent => "Family consent recorded",
        ChecklistItem.SmartPlanUpdated => "SMART plan updated",
        ChecklistItem.LeadIdentified => "New lead professional identified",
        ChecklistItem.LeadAccepted => "New lead professional has accepted the role",
        ChecklistItem.PlanShared => "Updated plan shared in writing with the family and every professional",
        ChecklistItem.LevelRecorded => "Lower level recorded: the case system still records the higher level, so the case is still open there",
        ChecklistItem.GpNotified => "GP notified of the current plan (sent by this service once the case system records the lower level)",
        _ => item.ToString(),
    };
}
