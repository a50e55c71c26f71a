using StepUpDown.SsdFeed.Reading;

namespace StepUpDown.SsdFeed.Tests;

/// <summary>How a person's rows in the SSD read as the contract's record (<c>../shared/ssd.md</c>; issue 31 item 2), rule by rule.</summary>
public sealed class RecordReadingTests
{
    [Theory]
    [InlineData("EarlyHelp", "EH", "eha")]
    [InlineData("EarlyHelp,CinReferral", "CIN", "cin")]
    [InlineData("EarlyHelp,CinReferral,CinPlan", "CIN", "cin")]
    [InlineData("CinReferral,CinPlan,ChildProtection", "CP", "cp")]
    [InlineData("CinReferral,ChildProtection,LookedAfter", "LAC", "lac")]
    [InlineData("LookedAfter,EarlyHelp", "LAC", "lac")]
    public void TheLevel_IsTheHighestOpenEpisode(string open, string level, string plan)
    {
        var rows = new Rows();
        foreach (var kind in open.Split(','))
        {
            rows.Episode(Enum.Parse<EpisodeKind>(kind), startedDaysAgo: 30);
        }

        var record = rows.Read()!;

        record.Status.ShouldBe("open");
        record.LevelOfNeed.ShouldBe(level);
        record.Plan!.Type.ShouldBe(plan);
        record.Plan.StartedOn.ShouldBe(Rows.Today.AddDays(-30));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(-1, true)] // ends tomorrow: still open today
    [InlineData(0, false)] // ended today
    [InlineData(5, false)]
    public void AnEpisode_IsOpenUntilItsEndDate(int? endedDaysAgo, bool open)
    {
        var record = new Rows().Episode(EpisodeKind.EarlyHelp, 10).Episode(EpisodeKind.CinPlan, 30, endedDaysAgo).Read()!;

        record.LevelOfNeed.ShouldBe(open ? "CIN" : "EH");
    }

    [Fact]
    public void AReferralClosedWithNoFurtherAction_IsNotChildInNeed()
    {
        var record = new Rows().Episode(EpisodeKind.EarlyHelp, 40).Episode(EpisodeKind.CinReferral, 10, flag: "Y").Read()!;

        record.LevelOfNeed.ShouldBe("EH");
    }

    [Fact]
    public void APersonWhoNeverHadAnEpisode_IsNeverServed_NorOneWhoseOnlyEpisodeStartsTomorrow()
    {
        new Rows().Read().ShouldBeNull();
        new Rows().Episode(EpisodeKind.EarlyHelp, startedDaysAgo: -1).Read().ShouldBeNull();
    }

    [Theory]
    [InlineData("RC2", "died")]
    [InlineData("RC5", "transferred-out")]
    [InlineData("RC7", "needs-met")]
    [InlineData("RC8", "no-further-action")]
    [InlineData("RC9", "referred-to-early-help")]
    [InlineData("rc8 ", "no-further-action")]
    [InlineData("RC1", "RC1")]
    [InlineData("RC6", "RC6")]
    public void AClosedReferral_ServesItsCensusReason(string code, string reason)
    {
        var record = new Rows().Episode(EpisodeKind.CinReferral, 100, endedDaysAgo: 3, reason: code).Episode(EpisodeKind.CinPlan, 90, endedDaysAgo: 3).Read()!;

        record.Status.ShouldBe("closed");
        record.ClosedOn.ShouldBe(Rows.Today.AddDays(-3));
        record.ClosureReason.ShouldBe(reason);
        record.LevelOfNeed.ShouldBe("CIN", "a closed record keeps the level it closed from");
        record.LeadProfessional.ShouldBeNull();
        record.Plan.ShouldBeNull();
    }

    [Fact]
    public void AClosure_ReadsFromTheEpisodeThatEndedLast()
    {
        var record = new Rows()
            .Episode(EpisodeKind.CinReferral, 300, endedDaysAgo: 200, reason: "RC9")
            .Episode(EpisodeKind.EarlyHelp, 199, endedDaysAgo: 2, reason: "Family needs met")
            .Read()!;

        record.LevelOfNeed.ShouldBe("EH");
        record.ClosureReason.ShouldBe("Family needs met");
        record.ClosedOn.ShouldBe(Rows.Today.AddDays(-2));
    }

    [Fact]
    public void ADeathDate_ClosesTheRecordAsDied_WhateverTheEpisodesSay()
    {
        var record = new Rows(died: Rows.Ago(4)).Episode(EpisodeKind.CinReferral, 100).Episode(EpisodeKind.ChildProtection, 50).Read()!;

        record.Status.ShouldBe("closed");
        record.ClosureReason.ShouldBe("died");
        record.ClosedOn.ShouldBe(Rows.Today.AddDays(-4));
        record.LevelOfNeed.ShouldBe("CP");
        record.LeadProfessional.ShouldBeNull();
    }

    [Theory]
    [InlineData("9434765919", null, "9434765919")]
    [InlineData("943 476 5919", null, "9434765919")]
    [InlineData(null, "9434765870", "9434765870")]
    [InlineData("9434765918", "9434765870", "9434765870")] // own number fails Modulus 11: the linked one
    [InlineData("0000000000", null, null)] // passes Modulus 11, names nobody
    [InlineData(null, "9434765871", null)] // linked number fails Modulus 11
    [InlineData("LEGACY-77", null, null)]
    public void TheNhsNumber_IsOneThatPassesModulus11(string? own, string? linked, string? served)
    {
        var rows = new Rows(nhsNumber: own!);
        if (linked is not null)
        {
            rows.Identifier("NHS Number", linked);
        }

        rows.Episode(EpisodeKind.EarlyHelp, 10).Read()!.NhsNumber.ShouldBe(served);
    }

    [Fact]
    public void ALinkedNhsNumber_CountsOnlyWhileValid_AndOnlyOfThatType()
    {
        new Rows(nhsNumber: null!).Identifier("NHS Number", "9434765870", validFromDaysAgo: 400, validToDaysAgo: 10).Episode(EpisodeKind.EarlyHelp, 10).Read()!.NhsNumber.ShouldBeNull();
        new Rows(nhsNumber: null!).Identifier("Unique Pupil Number", "9434765870").Episode(EpisodeKind.EarlyHelp, 10).Read()!.NhsNumber.ShouldBeNull();
        new Rows(nhsNumber: null!).Identifier("nhs number ", "9434765870").Episode(EpisodeKind.EarlyHelp, 10).Read()!.NhsNumber.ShouldBe("9434765870");
    }

    [Fact]
    public void TheLead_IsTheCurrentInvolvementOnTheHighestEpisode_WithItsRoleCode_AndContactsFromTheDirectory()
    {
        var directory = StaffDirectory.Of([new StaffEntry("S-1", "Alex Fieldworker", "alex.fieldworker@council.example", "01632 960001", "Children in Need Team 1", "Morgan Manager", "morgan.manager@council.example")]);
        var record = new Rows()
            .Episode(EpisodeKind.EarlyHelp, 200, worker: "W-2")
            .Episode(EpisodeKind.CinReferral, 60, id: "R-1", referral: "R-1", worker: "W-9", team: "T-1")
            .Involvement("W-2", "EHW", 200) // early help's worker, no referral
            .Involvement("W-9", "SW", 60, endedDaysAgo: 20, referral: "R-1") // ended
            .Involvement("W-3", "ADMIN", 20, referral: "R-1") // not a lead role
            .Involvement("W-1", "SW", 20, referral: "R-1")
            .Read(directory, leadRoles: ["SW"])!;

        record.LeadProfessional.ShouldNotBeNull();
        record.LeadProfessional.Id.ShouldBe("W-1");
        record.LeadProfessional.Name.ShouldBe("Alex Fieldworker");
        record.LeadProfessional.Role.ShouldBe("Social worker");
        record.LeadProfessional.Agency.ShouldBe(RecordReading.SocialCareAgency);
        record.LeadProfessional.Email.ShouldBe("alex.fieldworker@council.example");
        record.LeadProfessional.Phone.ShouldBe("01632 960001");
        record.AllocatedTeam.ShouldBe(new StepUpDown.Domain.Records.AllocatedTeam("Children in Need Team 1", "Morgan Manager", "morgan.manager@council.example"));
    }

    [Fact]
    public void WithNoCurrentInvolvement_TheLeadIsTheEpisodesWorker_AndACpPlanTakesItsReferralsWorker()
    {
        var cin = new Rows().Episode(EpisodeKind.CinPlan, 30, referral: "R-1", worker: "W-1").Read()!;
        var cp = new Rows()
            .Episode(EpisodeKind.CinReferral, 90, id: "R-1", referral: "R-1", worker: "W-1")
            .Episode(EpisodeKind.ChildProtection, 30, referral: "R-1")
            .Read()!;

        cin.LeadProfessional!.Id.ShouldBe("W-1");
        cp.LevelOfNeed.ShouldBe("CP");
        cp.LeadProfessional!.Id.ShouldBe("W-1");
    }

    [Fact]
    public void ALeadMissingFromTheDirectory_IsServedWithoutAnEmail()
    {
        var record = new Rows().Episode(EpisodeKind.EarlyHelp, 30, worker: "W-2").Read()!;

        record.LeadProfessional!.Name.ShouldBe("Pat Early");
        record.LeadProfessional.Agency.ShouldBe(RecordReading.EarlyHelpAgency);
        record.LeadProfessional.Email.ShouldBeNull();
    }

    [Fact]
    public void ACpPlan_CarriesItsLatestCategory_AndTheNextReviewStillToBeHeld()
    {
        var record = new Rows()
            .Episode(EpisodeKind.ChildProtection, 100, id: "CP-1", flag: "Neglect")
            .Review("CP-1", dueInDays: -40, heldDaysAgo: 41)
            .Review("CP-1", dueInDays: 60)
            .Review("CP-1", dueInDays: 20)
            .Review("CP-2", dueInDays: 5)
            .Read()!;

        record.Plan!.Type.ShouldBe("cp");
        record.Plan.Summary.ShouldBe("Child protection plan; category: Neglect.");
        record.Plan.ReviewDueOn.ShouldBe(Rows.Today.AddDays(20));
    }

    [Fact]
    public void TheGpPractice_AndTheStepDown_ComeOnlyFromTheCouncilsOptionalQueries()
    {
        var bare = new Rows().Episode(EpisodeKind.CinPlan, 30).Read()!;
        var told = new Rows()
            .Episode(EpisodeKind.CinPlan, 30)
            .Gp(" y00001 ", "Riverside Medical Practice")
            .StepDown(new StepDownRow { AgreedOn = Rows.Ago(2), Forum = "tac-meeting", ProposedWorkerId = "S-2", FamilyConsent = true, Disagreement = "  " })
            .Read()!;

        bare.GpPractice.ShouldBeNull();
        bare.StepDown.ShouldBeNull();
        told.GpPractice.ShouldBe(new StepUpDown.Domain.Records.GpPracticeRef("Y00001", "Riverside Medical Practice"));
        told.StepDown!.AgreedOn.ShouldBe(Rows.Today.AddDays(-2));
        told.StepDown.TargetLevel.ShouldBe("EH");
        told.StepDown.ProposedLeadProfessional!.Name.ShouldBe("Pat Early");
        told.StepDown.FamilyConsent.ShouldBe(true);
        told.StepDown.Disagreement.ShouldBeNull();
    }

    [Fact]
    public void TheNameAndDateOfBirth_AreThePersons()
    {
        var record = new Rows().Episode(EpisodeKind.EarlyHelp, 3).Read()!;

        record.ChildId.ShouldBe("P1");
        record.Name.ShouldBe(new StepUpDown.Domain.Records.PersonName("Amira", "Example"));
        record.DateOfBirth.ShouldBe(new DateOnly(2016, 4, 2));
        record.Version.ShouldBeNull("the change log numbers versions");
    }
}
