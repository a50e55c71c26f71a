using StepUpDown.Domain.Handovers;

namespace StepUpDown.Domain.Tests.Handovers;

/// <summary>What a reply does: only the proposed lead's own answer, to an open handover, acts; each of the rest changes nothing.</summary>
public class ReplyDecisionTests
{
    private static readonly ReplyReading Accept = new(ReplyKind.Accept);
    private static readonly ReplyReading Decline = new(ReplyKind.Decline, "I am not the right person");
    private static readonly ReplyReading Unreadable = new(ReplyKind.Unreadable);
    private static readonly ReplyReading Automatic = new(ReplyKind.Automatic);

    private static ReplyContext Context(
        HandoverState? handover = HandoverState.Open, bool fromProposedLead = true, bool authenticated = true, ReplyKind? earlier = null) =>
        new(handover, fromProposedLead, authenticated, earlier);

    public static TheoryData<string, ReplyReading, ReplyContext, ReplyOutcome> Cases => new()
    {
        { "the proposed lead accepts an open handover", Accept, Context(), ReplyOutcome.Accepted },
        { "the proposed lead declines an open handover", Decline, Context(), ReplyOutcome.Declined },
        { "a second Accept", Accept, Context(earlier: ReplyKind.Accept), ReplyOutcome.Repeated },
        { "a second Decline", Decline, Context(earlier: ReplyKind.Decline), ReplyOutcome.Repeated },
        { "Accept after Decline", Accept, Context(earlier: ReplyKind.Decline), ReplyOutcome.AnswerChanged },
        { "Decline after Accept", Decline, Context(earlier: ReplyKind.Accept), ReplyOutcome.AnswerChanged },
        { "from another address", Accept, Context(fromProposedLead: false), ReplyOutcome.NotTheProposedLead },
        { "a forged or unknown token", Accept, Context(handover: null), ReplyOutcome.UnknownHandover },
        { "a forged token from another address", Decline, Context(handover: null, fromProposedLead: false), ReplyOutcome.UnknownHandover },
        { "its domain disowns it", Accept, Context(authenticated: false), ReplyOutcome.NotAuthenticated },
        { "to a completed handover", Accept, Context(handover: HandoverState.Complete), ReplyOutcome.HandoverClosed },
        { "to a withdrawn handover", Decline, Context(handover: HandoverState.Withdrawn), ReplyOutcome.HandoverClosed },
        { "neither word", Unreadable, Context(), ReplyOutcome.Unreadable },
        { "an out-of-office", Automatic, Context(), ReplyOutcome.Ignored },
        { "an out-of-office to an unknown address", Automatic, Context(handover: null, fromProposedLead: false), ReplyOutcome.Ignored },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AReply_DoesWhatItsContextAllows(string because, ReplyReading reading, ReplyContext context, ReplyOutcome expected) =>
        ReplyDecision.Decide(reading, context).ShouldBe(expected, because);

    [Theory]
    [InlineData(ReplyOutcome.Accepted, false)]
    [InlineData(ReplyOutcome.Declined, false)]
    [InlineData(ReplyOutcome.Repeated, false)]
    [InlineData(ReplyOutcome.Ignored, false)]
    [InlineData(ReplyOutcome.Unreadable, true)]
    [InlineData(ReplyOutcome.UnknownHandover, true)]
    [InlineData(ReplyOutcome.NotTheProposedLead, true)]
    [InlineData(ReplyOutcome.NotAuthenticated, true)]
    [InlineData(ReplyOutcome.HandoverClosed, true)]
    [InlineData(ReplyOutcome.AnswerChanged, true)]
    public void WhatNeitherActsNorIsIgnored_WaitsForAPerson(ReplyOutcome outcome, bool needsAPerson) =>
        ReplyDecision.NeedsAPerson(outcome).ShouldBe(needsAPerson);

    [Fact]
    public void EveryOutcome_ReadsInWords() =>
        Enum.GetValues<ReplyOutcome>().ShouldAllBe(outcome => ReplyDecision.Describe(outcome) != outcome.ToString());
}
