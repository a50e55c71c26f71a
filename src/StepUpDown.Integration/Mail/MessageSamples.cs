using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Domain.Notifications;
using StepUpDown.Domain.Records;

namespace StepUpDown.Integration.Mail;

/// <summary>Every message kind the rules send, each over sample data (the ladder's and the digest's are <c>HandoverSamples</c>').</summary>
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

    /// <summary>One sample per (template, step kind) the rules send, and the MASSH's three of its own.</summary>
    public static IEnumerable<MessageSample> All(CouncilOptions council)
    {
        foreach (var rule in NotificationRules.All.DistinctBy(rule => (rule.Template, rule.Kind)))
        {
            yield return Notice(council, rule.Template, rule.Kind, rule.Kind == StepKind.GpPracticeChanged ? "Y00002" : null);
        }

        yield return Notice(council, "massh-nhs-match", StepKind.StepUp);
        yield return Notice(council, "massh-undelivered", StepKind.StepUp, undelivered: new UndeliveredView("gp", "the practice's mailbox refused the message (SMTP 550)"));
        yield return new MessageSample(QuarantineListModel.Template, QuarantineListModel.Template, new QuarantineListModel(
            "7 December 2026", 2, [new QuarantineListSource("social-care", [new QuarantineListCase("SAMPLE-1", "4 December 2026"), new QuarantineListCase("(no readable case id)", "6 December 2026")])], council));
    }

    /// <summary>A notice of <paramref name="kind"/> over the sample child, as <paramref name="template"/> is sent it.</summary>
    public static MessageSample Notice(
        CouncilOptions council, string template, StepKind kind, string? subject = null, HandoverDetails? details = null, UndeliveredView? undelivered = null)
    {
        var cin = new Level("child-in-need", "Child in need", 3);
        var earlyHelp = new Level("early-help", "Early help", 2);
        var practice = new GpPracticeEntry("Y00001", "Sample Medical Practice", "sample.practice@nhs.example");
        var handover = details ?? new HandoverDetails(null, false, 11, [], new DateOnly(2026, 11, 2), true);
        var (from, to) = kind == StepKind.StepUp ? (earlyHelp, cin) : (cin, earlyHelp);
        var markers = kind == StepKind.StepOut ? StepMarkers.NonEngagement : StepMarkers.None;
        var step = new StepFacts(
            kind, from, to, markers,
            subject ?? (kind is StepKind.StepIn or StepKind.StepOut ? "svc-1" : kind == StepKind.IdentityConflict ? "early-help|EH-SAMPLE" : null), "social-care");
        var child = kind is StepKind.ChildDied or StepKind.TransferredOut
            ? Child with
            {
                Status = "closed", ClosedOn = new DateOnly(2026, 12, 1), ClosureReason = kind == StepKind.ChildDied ? Closures.Died : Closures.TransferredOut,
                TransferredTo = kind == StepKind.TransferredOut ? "Example Borough Council" : null,
            }
            : Child;
        var notice = Mail.Notice.Create(
            SampleStepId, child, step, new RecipientView("Sample Recipient", "role"), council, practice, undelivered, handover, "Early help");
        return new MessageSample($"{template}--{kind}", template, notice);
    }
}
