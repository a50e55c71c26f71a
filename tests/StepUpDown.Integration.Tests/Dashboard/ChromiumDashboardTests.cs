using StepUpDown.Integration.Tests.Fixtures;

namespace StepUpDown.Integration.Tests.Dashboard;

/// <summary>
/// Signs in to the dashboard in a real headless Chromium (Debian's chromium and chromium-driver,
/// driven over the W3C WebDriver protocol) and keeps a screenshot of what an ops user sees.
/// </summary>
public sealed class ChromiumDashboardTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string Password = "ops password for the browser test";

    protected override void Adjust(Dictionary<string, string?> settings)
    {
        DashboardClient.AddAccount(settings, "olive", Password, "admin");
    }

    [Fact]
    public async Task SignIn_InChromium_ShowsTheDashboardWithItsRecurringJobs()
    {
        await using var browser = await WebDriverSession.StartAsync();

        await browser.GoToAsync(new Uri(Worker.BaseAddress, "/hangfire/recurring"));
        (await browser.UrlAsync()).ShouldContain("/signin");
        await browser.SubmitSignInAsync("olive", Password);
        (await browser.UrlAsync()).ShouldContain("/hangfire/recurring");
        var page = await browser.SourceAsync();
        var screenshot = await browser.ScreenshotAsync("dashboard-recurring-jobs.png");

        page.ShouldContain("Recurring Jobs");
        page.ShouldContain("sweep-handovers");
        page.ShouldContain("poll-case-feed:social-care");
        new FileInfo(screenshot).Length.ShouldBeGreaterThan(10_000);
    }
}
