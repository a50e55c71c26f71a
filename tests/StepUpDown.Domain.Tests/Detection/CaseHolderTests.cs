using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;

namespace StepUpDown.Domain.Tests.Detection;

/// <summary>Who holds the case across a child's records: the rule the notices and the lead lookup share.</summary>
public class CaseHolderTests
{
    private static readonly Level EarlyHelp = new("early-help", "Early help", 2);
    private static readonly Level ChildInNeed = new("child-in-need", "Child in need", 3);

    private static SourceRecord Record(string source, Level level, bool open = true) =>
        new(source, new ChildRecord { ChildId = $"{source}-1", Status = open ? "open" : "closed", LeadProfessional = new Professional { Name = $"{source} lead" } }, level);

    [Fact]
    public void TheHighestOpenRecord_HoldsTheCase()
    {
        var earlyHelp = Record("early-help", EarlyHelp);
        var socialCare = Record("social-care", ChildInNeed);

        CombinedView.Holder([earlyHelp, socialCare]).ShouldBeSameAs(socialCare);
    }

    [Fact]
    public void AClosedRecord_HoldsNothing_HoweverHighItWas()
    {
        var earlyHelp = Record("early-help", EarlyHelp);

        CombinedView.Holder([Record("social-care", ChildInNeed, open: false), earlyHelp]).ShouldBeSameAs(earlyHelp);
        CombinedView.Holder([Record("social-care", ChildInNeed, open: false)]).ShouldBeNull();
    }

    [Fact]
    public void OnATie_TheFirstRecordHolds()
    {
        var first = Record("social-care", ChildInNeed);

        CombinedView.Holder([first, Record("early-help", ChildInNeed)]).ShouldBeSameAs(first);
    }

    [Fact]
    public void TheNoticesRecord_TakesTheHoldersLeadAndPlan()
    {
        var combined = CombinedView.For(Record("early-help", EarlyHelp), [Record("social-care", ChildInNeed)]);

        combined.ChildId.ShouldBe("early-help-1");
        combined.LeadProfessional!.Name.ShouldBe("social-care lead");
    }
}
