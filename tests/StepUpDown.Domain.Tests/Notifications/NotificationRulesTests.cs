using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Notifications;

namespace StepUpDown.Domain.Tests.Notifications;

/// <summary>The design's "who is told what", row by row, and the GP safety rule: pure, in milliseconds.</summary>
public class NotificationRulesTests
{
    private static readonly Level Universal = new("universal", "Universal", 1);
    private static readonly Level EarlyHelp = new("early-help", "Early help", 2);
    private static readonly Level ChildInNeed = new("child-in-need", "Child in need", 3);

    private static DetectedStep Step(StepKind kind, StepMarkers markers = StepMarkers.None, Level? to = null, string? subject = null) =>
        new(DetectedStep.IdFor("social-care", "SC-1", kind, 2, subject), kind, ChildInNeed, to ?? EarlyHelp, 1, 2, subject, markers, new DateOnly(2026, 11, 2));

    private static string[] Told(params DetectedStep[] steps) =>
        NotificationRules.For(steps, gpAllowed: true).Select(n => $"{n.Role}:{n.Template}").Order(StringComparer.Ordinal).ToArray();

    public static TheoryData<StepKind, StepMarkers, string[]> Table => new()
    {
        { StepKind.StepUp, StepMarkers.None, ["gp:gp-step-notice", "massh:massh-notice"] },
        { StepKind.StepDownAgreed, StepMarkers.None, ["proposed-lead:handover-pack"] },
        { StepKind.ProposedLeadNamed, StepMarkers.None, ["proposed-lead:handover-pack"] },
        { StepKind.StepDown, StepMarkers.None, ["gp:gp-step-notice"] },
        { StepKind.StepDown, StepMarkers.Unplanned, ["gp:gp-step-notice", "massh:massh-notice"] },
        { StepKind.StepDown, StepMarkers.RoutineClosure, ["gp:gp-step-notice", "massh:massh-notice"] },
        { StepKind.StepDown, StepMarkers.HandoverNotTracked, ["gp:gp-step-notice", "lead-professional:lead-notice", "massh:massh-notice"] },
        { StepKind.StepDownComplete, StepMarkers.None, ["gp:gp-step-notice", "lead-professional:lead-notice", "massh:massh-notice"] },
        { StepKind.StepIn, StepMarkers.None, ["lead-professional:lead-notice"] },
        { StepKind.StepOut, StepMarkers.None, ["lead-professional:lead-notice"] },
        { StepKind.StepOut, StepMarkers.NonEngagement, ["lead-professional:lead-notice", "massh:massh-notice", "team-manager:manager-notice"] },
        { StepKind.LeadProfessionalChanged, StepMarkers.None, ["massh:massh-notice"] },
        { StepKind.LeadProfessionalAccepted, StepMarkers.None, ["massh:massh-notice"] },
        { StepKind.GpPracticeChanged, StepMarkers.None, ["gp:gp-step-notice", "previous-gp:gp-left-notice"] },
        { StepKind.GpPracticeChanged, StepMarkers.PreviousPracticeNotTold, ["gp:gp-step-notice"] },
        { StepKind.NhsNumberMatched, StepMarkers.None, ["gp:gp-step-notice"] },
        { StepKind.HandoverStalled, StepMarkers.None, [] },
        { StepKind.ChildDied, StepMarkers.None, ["massh:massh-closure-notice"] },
        { StepKind.TransferredOut, StepMarkers.None, ["gp:gp-closure-notice", "massh:massh-closure-notice"] },
        { StepKind.IdentityConflict, StepMarkers.None, ["massh:massh-identity-conflict"] },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void EachStep_TellsTheRolesTheDesignNames(StepKind kind, StepMarkers markers, string[] expected) =>
        Told(Step(kind, markers)).ShouldBe(expected);

    [Fact]
    public void AStepUpThatAlsoChangesTheLead_TellsTheNewLead_AndTheMasshOnce()
    {
        var told = Told(Step(StepKind.StepUp), Step(StepKind.LeadProfessionalChanged));

        told.ShouldBe(["gp:gp-step-notice", "lead-professional:lead-notice", "massh:massh-notice", "massh:massh-notice"]);
        NotificationRules.For([Step(StepKind.StepUp), Step(StepKind.LeadProfessionalChanged)], true)
            .Select(n => (n.Step.Kind, n.Role)).ShouldBeUnique();
    }

    [Fact]
    public void AnAcceptanceInARecordThatChangesTheLead_IsToldOnce_AsTheChange() =>
        Told(Step(StepKind.LeadProfessionalChanged), Step(StepKind.LeadProfessionalAccepted)).ShouldBe(["massh:massh-notice"]);

    [Fact]
    public void TheProposedLeadsAcceptance_IsToldEvenWhenTheRecordsLeadChanged() =>
        Told(Step(StepKind.LeadProfessionalChanged), Step(StepKind.LeadProfessionalAccepted, subject: DetectedStep.ProposedLeadSubject))
            .ShouldBe(["massh:massh-notice", "massh:massh-notice"]);

    [Fact]
    public void APracticeChangeWithALevelStep_TellsTheNewPracticeOnce_ByTheStepsNotice()
    {
        var told = NotificationRules.For([Step(StepKind.StepUp), Step(StepKind.GpPracticeChanged, subject: "Y00002")], true)
            .Select(n => (n.Step.Kind, n.Role)).ToArray();

        told.ShouldContain((StepKind.StepUp, RecipientRoles.Gp));
        told.ShouldNotContain((StepKind.GpPracticeChanged, RecipientRoles.Gp));
        told.ShouldContain((StepKind.GpPracticeChanged, RecipientRoles.PreviousGp));
    }

    [Fact]
    public void AMatchedNhsNumber_DoesNotWriteToTheGpTwice_WhenTheSameRecordStepsToo() =>
        NotificationRules.For([Step(StepKind.StepDown), Step(StepKind.NhsNumberMatched)], true)
            .Count(n => n.Role == RecipientRoles.Gp).ShouldBe(1);

    [Theory]
    [InlineData(StepKind.StepUp)]
    [InlineData(StepKind.StepDown)]
    [InlineData(StepKind.StepDownComplete)]
    [InlineData(StepKind.GpPracticeChanged)]
    public void WithoutAUsableNhsNumber_NoGpIsWrittenTo_AndTheMasshIsAskedToMatchOncePerStep(StepKind kind)
    {
        var planned = NotificationRules.For([Step(kind, subject: kind == StepKind.GpPracticeChanged ? "Y00002" : null)], gpAllowed: false).ToList();

        planned.ShouldNotContain(n => RecipientRoles.IsGp(n.Role));
        planned.Count(n => n.Role == RecipientRoles.MasshNhsMatch).ShouldBe(1);
        planned.Single(n => n.Role == RecipientRoles.MasshNhsMatch).Template.ShouldBe("massh-nhs-match");
    }

    [Theory]
    [InlineData(new[] { "massh-nhs-match" }, false, true)]
    [InlineData(new[] { "massh-nhs-match", "massh" }, true, true)]
    [InlineData(new[] { "massh" }, true, true)]
    [InlineData(new[] { "gp" }, true, false)]
    [InlineData(new[] { "previous-gp" }, true, false)]
    [InlineData(new string[0], false, false)]
    [InlineData(new string[0], true, true)]
    public void TheGpIsStillOwed_UntilANoticeToAGpIsPlanned(string[] plannedRoles, bool owedBefore, bool owed) =>
        NotificationRules.GpStillOwed(plannedRoles, owedBefore).ShouldBe(owed);

    [Theory]
    [InlineData("gp", true, false)]
    [InlineData("previous-gp", true, false)]
    [InlineData("massh", false, true)]
    [InlineData("massh-nhs-match", false, true)]
    [InlineData("massh-undelivered:gp", false, true)]
    [InlineData("lead-professional", false, false)]
    public void RolesAreTheGpsOrTheMasshs(string role, bool gp, bool massh) =>
        (RecipientRoles.IsGp(role), RecipientRoles.IsMassh(role)).ShouldBe((gp, massh));

    [Theory]
    [InlineData(StepKind.StepDownComplete, 2, true)]
    [InlineData(StepKind.StepDown, 1, true)]
    [InlineData(StepKind.StepDown, 2, false)]
    [InlineData(StepKind.StepUp, 1, false)]
    public void AnEpisodeEnds_WithACompletedStepDown_OrAFallToUniversal(StepKind kind, int toRank, bool ends) =>
        Step(kind, to: toRank == 1 ? Universal : EarlyHelp).EndsAnEpisode.ShouldBe(ends);

    [Theory]
    [InlineData(StepMarkers.None, "9434765919", true)]
    [InlineData(StepMarkers.InvalidNhsNumber, "9434765919", false)]
    [InlineData(StepMarkers.None, "9434765918", false)]
    [InlineData(StepMarkers.None, "0000000000", false)]
    [InlineData(StepMarkers.None, null, false)]
    [InlineData(StepMarkers.Unplanned | StepMarkers.ReReferral, "9434765919", true)]
    public void AGpIsWrittenTo_OnlyAboutAChildWithAUsableNhsNumber(StepMarkers markers, string? nhsNumber, bool allowed) =>
        NotificationRules.MayWriteToGp(markers, nhsNumber).ShouldBe(allowed);

    [Theory]
    [InlineData("gp", true)]
    [InlineData("lead-professional", true)]
    [InlineData("team-manager", true)]
    [InlineData("massh", false)]
    [InlineData("massh-nhs-match", false)]
    [InlineData("massh-undelivered:gp", false)]
    public void ANoticeThatEndedUndelivered_IsToldToTheMassh_UnlessItWasTheMasshs(string role, bool told) =>
        NotificationRules.FailureIsToldToMassh(role).ShouldBe(told);

    [Theory]
    [InlineData("massh-undelivered:gp", "gp")]
    [InlineData("massh-undelivered:lead-professional", "lead-professional")]
    [InlineData("massh", null)]
    [InlineData("gp", null)]
    public void TheMasshsUndeliveredNotice_NamesTheRoleThatFailed(string role, string? failed)
    {
        RecipientRoles.UndeliveredRoleOf(role).ShouldBe(failed);
        if (failed is not null)
        {
            RecipientRoles.MasshUndelivered(failed).ShouldBe(role);
        }
    }
}
