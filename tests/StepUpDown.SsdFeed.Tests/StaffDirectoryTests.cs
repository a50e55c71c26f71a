using StepUpDown.SsdFeed.Reading;

namespace StepUpDown.SsdFeed.Tests;

public sealed class StaffDirectoryTests
{
    [Fact]
    public void TheExport_IsReadByItsHeader_WithQuotedCommas()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """
            email,staff_id,name,team,manager_name,manager_email,phone
            alex@council.example,S-1,"Fieldworker, Alex",Team 1,Morgan Manager,morgan@council.example,01632 960001

            ,S-2,Pat Early,,,,
            """);
        try
        {
            var directory = StaffDirectory.Load(path);

            directory.Find("s-1").ShouldBe(new StaffEntry("S-1", "Fieldworker, Alex", "alex@council.example", "01632 960001", "Team 1", "Morgan Manager", "morgan@council.example"));
            directory.Find("S-2")!.Email.ShouldBeNull();
            directory.ManagerOf("team 1")!.ManagerEmail.ShouldBe("morgan@council.example");
            directory.Find("S-3").ShouldBeNull();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnExportWithoutStaffIds_IsRefused_NamingWhatIsMissing()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "name,email\nAlex,alex@council.example\n");
        try
        {
            Should.Throw<InvalidDataException>(() => StaffDirectory.Load(path)).Message.ShouldContain("no staff_id column");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
