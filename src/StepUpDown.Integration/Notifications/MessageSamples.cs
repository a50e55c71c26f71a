using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;
using StepUpDown.Integration.Handovers;

namespace StepUpDown.Integration.Notifications;

/// <summary>A message the worker can send, over a fictional child: what start-up renders and the preview writes.</summary>
/// <param name="Name">The file name of its preview: the template, and the step it is sent for.</param>
/// <param name="Template">The message kind (its template files' first name).</param>
/// <param name="Model">What the template sees.</param>
public sealed record MessageSample(string Name, string Template, object Model);

/// <summary>Every message kind the rules, the ladder and the digest send, each over sample data.</summary>
public static class MessageSamples
{
    /// <summary>Its reference reads 0123456789AB.</summary>
    private static readonly Guid SampleStepId = new("0123456789ab4cde8f0123456789abcd");

    private static readonly Professional Lead = new()
    {
        Name = "Sam Sample", Role = "Social worker", Agency = "social-care", Email = "sam.sample@example-council.gov.uk", Phone = "0100 000 0001",
        AcceptedOn = new DateOnly(2026, 9, 1),
    };

    private static readonly Professional Proposed = new()
    {
        Name = "Pip Proposed", Role = "Family support worker", Agency = "early-help", Email = "pip.proposed@example-council.gov.uk", Phone = "0100 000 0002",
    };

    private static readonly ChildRecord Child = new()
    {
        ChildId = "SAMPLE-1",
        NhsNumber = "9434765919",
        Name = new PersonName("Sample", "Child"),
        DateOfBirth = new DateOnly(2016, 4, 1),
        LevelOfNeed = "CIN",
        Status = "open",
        AllocatedTeam = new AllocatedTeam("North CIN team", "Tess Manager", "tess.manager@example-council.gov.uk"),
        LeadProfessional = Lead,
        Plan = new Plan
        {
            Type = "cin", StartedOn = new DateOnly(2026, 9, 1), ReviewDueOn = new DateOnly(2026, 12, 1), Summary = "Weekly visits; school attendance support.",
            Outcomes = [new PlanOutcome("Attends school every day", "School", new DateOnly(2026, 12, 1))],
        },
        Services = [new Service { ServiceId = "svc-1", Name = "School nursing", Agency = "health", ContactEmail = "school.nursing@nhs.example", JoinedOn = new DateOnly(2026, 10, 1), LeftOn = new DateOnly(2026, 11, 20), LeftReason = "non-engagement" }],
        StepDown = new StepDownAgreement
        {
            AgreedOn = new DateOnly(2026, 11, 2), Forum = "tac-meeting", TargetLevel = "EH", ProposedLeadProfessional = Proposed, FamilyConsent = true,
        },
        GpPractice = new GpPracticeRef("Y00001", "Sample Medical Practice"),
    };

    /// <summary>One sample per (template, step kind) the rules send, the MASSH's two of its own, each ladder stage's and the digest.</summary>
    public static IEnumerable<MessageSample> All(CouncilOptions council, EscalationLadder ladder)
    {
        ArgumentNullException.ThrowIfNull(ladder);
        var cin = new Level("child-in-need", "Child in need", 3);
        var earlyHelp = new Level("early-help", "Early help", 2);
        var practice = new GpPracticeEntry("Y00001", "Sample Medical Practice", "sample.practice@nhs.example");
        var handover = new HandoverDetails(null, false, 11, [], new DateOnly(2026, 11, 2), true);
        var recipient = new RecipientView("Sample Recipient", "role");

        MessageSample Notice(string template, StepKind kind, string? subject = null, HandoverDetails? details = null, UndeliveredView? undelivered = null)
        {
            var (from, to) = kind == StepKind.StepUp ? (earlyHelp, cin) : (cin, earlyHelp);
            var markers = kind == StepKind.StepOut ? StepMarkers.NonEngagement : StepMarkers.None;
            var step = new StepFacts(kind, from, to, markers, subject ?? (kind is StepKind.StepIn or StepKind.StepOut ? "svc-1" : null), "social-care");
            var notice = Notifications.Notice.Create(SampleStepId, Child, step, recipient, council, practice, undelivered, details ?? handover, "Early help");
            return new MessageSample($"{template}--{kind}", template, notice);
        }

        foreach (var rule in NotificationRules.All.DistinctBy(rule => (rule.Template, rule.Kind)))
        {
            yield return Notice(rule.Template, rule.Kind, rule.Kind == StepKind.GpPracticeChanged ? "Y00002" : null);
        }

        yield return Notice("massh-nhs-match", StepKind.StepUp);
        yield return Notice("massh-undelivered", StepKind.StepUp, undelivered: new UndeliveredView("gp", "the practice's mailbox refused the message (SMTP 550)"));
        for (var i = 0; i < ladder.Stages.Count; i++)
        {
            var stage = ladder.Stages[i];
            var next = i < ladder.LastStage ? ladder.Stages[i + 1].Name : null;
            var details = new HandoverDetails(stage.Name, i == ladder.LastStage, stage.WorkingDays, ["New lead professional has accepted the role"], new DateOnly(2026, 11, 2), true, next, next is null ? null : new DateOnly(2026, 11, 16));
            yield return Notice(stage.Template, StepKind.HandoverStalled, details: details) with { Name = $"{stage.Template}--stage-{i + 1}" };
        }

        yield return new MessageSample(HandoverDigests.Template, HandoverDigests.Template, new DigestModel(
            "Tess Manager", "North CIN team", "9 November 2026", 1, 1,
            [new DigestLine("0123456789AB", "social-care", "SAMPLE-1", "agreed", "2 November 2026", 6, ["SMART plan updated"], ladder.Stages[0].Name, ladder.Stages.Count > 1 ? ladder.Stages[1].Name : null, "16 November 2026")],
            council));
        yield return new MessageSample($"{HandoverDigests.Template}--massh", HandoverDigests.Template, new DigestModel(
            "MASSH", "records with no team manager to send to", "9 November 2026", 1, 0,
            [new DigestLine("BA9876543210", "early-help", "SAMPLE-2", "unplanned", "4 November 2026", 3, ["New lead professional has accepted the role"], null, ladder.Stages[0].Name, "11 November 2026",
                "Its record's team manager email is not on the secure-domain list: correct it in the case system.")],
            council,
            ToMassh: true));
    }
}
