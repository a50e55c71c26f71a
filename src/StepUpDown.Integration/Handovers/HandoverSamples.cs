using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Handovers;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.Handovers;

/// <summary>Every message kind the ladder and the digest send, each over sample data (as <see cref="MessageSamples"/> does for the rules').</summary>
public static class HandoverSamples
{
    /// <summary>Each ladder stage's notice and the digest's two forms (a team manager's, the MASSH's).</summary>
    public static IEnumerable<MessageSample> All(CouncilOptions council, EscalationLadder ladder)
    {
        ArgumentNullException.ThrowIfNull(ladder);
        for (var i = 0; i < ladder.Stages.Count; i++)
        {
            var stage = ladder.Stages[i];
            var next = i < ladder.LastStage ? ladder.Stages[i + 1].Name : null;
            var details = new HandoverDetails(
                stage.Name, i == ladder.LastStage, stage.WorkingDays, ["New lead professional has accepted the role"], new DateOnly(2026, 11, 2), true, next,
                next is null ? null : new DateOnly(2026, 11, 16));
            yield return MessageSamples.Notice(council, stage.Template, StepKind.HandoverStalled, details: details) with { Name = $"{stage.Template}--stage-{i + 1}" };
        }

        // Answers by reply: the pack and the reminder that ask for one, the decline the managers read, the acceptance the MASSH and the team read.
        var agreedOn = new DateOnly(2026, 11, 2);
        foreach (var template in new[] { "handover-pack", ladder.Stages[0].Template })
        {
            var sample = MessageSamples.Notice(council, template, StepKind.StepDownAgreed, details: new HandoverDetails(ladder.Stages[0].Name, false, 3, [], agreedOn, true));
            yield return sample with { Name = $"{template}--answer-by-reply", Model = ((Notice)sample.Model) with { AnswerByReply = true } };
        }

        var disagreement = ladder.Stages[ladder.DisagreementStage];
        yield return MessageSamples.Notice(council, disagreement.Template, StepKind.HandoverStalled, details: new HandoverDetails(
                disagreement.Name, ladder.DisagreementStage == ladder.LastStage, 1, ["New lead professional has accepted the role"], agreedOn, true)
            {
                DeclineReason = "I am not the right person: our service does not cover this postcode.",
            }) with { Name = $"{disagreement.Template}--declined-by-reply" };
        foreach (var template in new[] { "massh-accepted-by-reply", "record-acceptance" })
        {
            yield return MessageSamples.Notice(council, template, StepKind.LeadAcceptedByReply, details: new HandoverDetails(null, false, 4, [], agreedOn, true)
            {
                AcceptedByReplyOn = new DateOnly(2026, 11, 6),
            }) with { Name = $"{template}--by-reply-on" };
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

    /// <summary>Every message the worker sends: the rules', the ladder's and the digest's.</summary>
    public static IEnumerable<MessageSample> WithRules(CouncilOptions council, EscalationLadder ladder) =>
        MessageSamples.All(council).Concat(All(council, ladder));
}
