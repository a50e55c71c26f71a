using StepUpDown.Domain.Handovers;

namespace StepUpDown.Domain.Tests.Handovers;

/// <summary>How a reply to a handover pack reads (design: "Replies"; issue 32 item 2), phrasing by phrasing.</summary>
public sealed class RepliesTests
{
    private static readonly byte[] Key = "a council's reply key, 32 bytes!"u8.ToArray();

    [Theory]
    [InlineData("Accept", ReplyKind.Accept)]
    [InlineData("accept.", ReplyKind.Accept)]
    [InlineData("ACCEPTED!", ReplyKind.Accept)]
    [InlineData("Yes, I accept.", ReplyKind.Accept)]
    [InlineData("Yes", ReplyKind.Accept)]
    [InlineData("I accept the lead role for this child", ReplyKind.Accept)]
    [InlineData("Happy to accept - will call the family Monday", ReplyKind.Accept)]
    [InlineData("No problem, I accept", ReplyKind.Accept)]
    [InlineData("Thanks, I'll take the lead", ReplyKind.Accept)]
    [InlineData("Hi Sam,\n\nAccept\n\nPat", ReplyKind.Accept)]
    [InlineData("Decline", ReplyKind.Decline)]
    [InlineData("No", ReplyKind.Decline)]
    [InlineData("I cannot accept", ReplyKind.Decline)]
    [InlineData("I can\u2019t accept this one", ReplyKind.Decline)]
    [InlineData("Sorry, I am not the right person", ReplyKind.Decline)]
    [InlineData("I do not accept", ReplyKind.Decline)]
    [InlineData("Maybe next week?", ReplyKind.Unreadable)]
    [InlineData("Can we talk about it first?", ReplyKind.Unreadable)]
    [InlineData("Acceptance depends on the school", ReplyKind.Unreadable)]
    [InlineData("", ReplyKind.Unreadable)]
    [InlineData("> Accept\n> Decline", ReplyKind.Unreadable)]
    public void TheFirstLine_SaysAcceptOrDecline_WhateverItsCaseAndPunctuation(string body, ReplyKind kind)
    {
        Replies.Read(body).Kind.ShouldBe(kind);
    }

    [Fact]
    public void OnlyTheReplysOwnLines_Count_NotTheQuotedPack()
    {
        const string quoted = "Decline, I am not the right person.\r\n\r\nOn Mon, 7 Dec 2026 at 10:00, Step Up Step Down wrote:\r\n> Please reply Accept to take on the lead role, or Decline and a reason.";
        const string outlook = "accept\r\n\r\n________________________________\r\nFrom: Step Up Step Down\r\nDecline";

        Replies.Read(quoted).ShouldBe(new ReplyReading(ReplyKind.Decline, "I am not the right person."));
        Replies.Read(outlook).Kind.ShouldBe(ReplyKind.Accept);
    }

    [Fact]
    public void ADeclinesReason_IsTheRestOfItsWords_PlainAndAtMost500Characters()
    {
        var longReason = string.Join(' ', Enumerable.Repeat("overloaded", 80));

        Replies.Read("No, I am not the right person: the child is not at our school\nThey moved in September").Reason
            .ShouldBe("I am not the right person: the child is not at our school They moved in September");
        Replies.Read("Decline").Reason.ShouldBeNull();
        Replies.Read("Decline \u0007 because\tof caseload").Reason.ShouldBe("because of caseload");
        var cut = Replies.Read($"Decline: {longReason}").Reason!;
        cut.Length.ShouldBeLessThanOrEqualTo(Replies.MaxReasonLength);
        cut.ShouldEndWith("overloaded\u2026");
    }

    [Theory]
    [InlineData("auto-replied", null)]
    [InlineData("auto-generated", null)]
    [InlineData(null, "Out of Office: back on Monday")]
    [InlineData(null, "Automatic reply: Step down handover")]
    public void AnAutomaticReply_IsIgnored(string? autoSubmitted, string? subject)
    {
        Replies.Read("Accept", subject, autoSubmitted).Kind.ShouldBe(ReplyKind.Automatic);
    }

    [Fact]
    public void AnAutoSubmittedHeaderOfNo_IsAPersonsReply()
    {
        Replies.Read("Accept", "RE: Step down handover", "no").Kind.ShouldBe(ReplyKind.Accept);
    }

    [Fact]
    public void TheToken_NamesTheHandover_AndIsGenuineOnlyForItsRecipientAndKey()
    {
        var handover = Guid.NewGuid();
        var token = Replies.Token(handover, "Pip.Proposed@School.example", Key);

        token.ShouldNotContain("pip", Case.Insensitive);
        Replies.HandoverOf(token).ShouldBe(handover);
        Replies.IsGenuine(token, handover, "pip.proposed@school.example", Key).ShouldBeTrue("an address's case does not matter");
        Replies.IsGenuine(token, handover, "someone.else@school.example", Key).ShouldBeFalse();
        Replies.IsGenuine(token, Guid.NewGuid(), "pip.proposed@school.example", Key).ShouldBeFalse();
        Replies.IsGenuine(token, handover, "pip.proposed@school.example", "another key, thirty-two bytes!!!"u8.ToArray()).ShouldBeFalse();
        Replies.IsGenuine(token[..^1] + (token[^1] == '0' ? '1' : '0'), handover, "pip.proposed@school.example", Key).ShouldBeFalse();
        Replies.HandoverOf("not-a-token").ShouldBeNull();
    }
}
