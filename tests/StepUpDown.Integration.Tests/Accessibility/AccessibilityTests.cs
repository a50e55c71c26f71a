using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Handovers;
using StepUpDown.Integration.Mail;
using StepUpDown.Integration.Tests.Dashboard;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Integration.Tests.Monitoring;

namespace StepUpDown.Integration.Tests.Accessibility;

/// <summary>
/// What people read passes an accessibility check (issue 32 item 4): every dashboard page the
/// product adds and the HTML part of every message it sends, checked with axe-core in headless
/// Chromium against WCAG 2.2 AA, as UK public bodies must meet. No serious or critical violation.
/// </summary>
public sealed class AccessibilityTests(PostgresFixture postgres, MailDevFixture mail) : WorkerTest(postgres, mail)
{
    private const string Password = "accessibility viewer password";

    protected override void Adjust(Dictionary<string, string?> settings) =>
        DashboardClient.AddAccount(settings, "vera", Password, "viewer");

    [Fact]
    public async Task EveryPageTheProductAdds_HasNoSeriousOrCriticalViolation()
    {
        Feed.ServePage(null, "c1", Children.Record("SC-1", "EH", 1));
        Feed.ServePage("c1", "c2", Children.Record("SC-1", "CIN", 2));
        await Worker.PollAsync();
        await Worker.PollAsync();
        await Worker.WaitForLedgerSettledAsync();
        await SeededQuarter.SeedAsync(Worker); // written straight into the tables: its notices are never sent
        await Worker.QueryScalarAsync<int>(
            "INSERT INTO stepupdown.handover_replies (message_hash, received_at, kind, outcome, sender_domain, from_proposed_lead) " +
            "VALUES ('a reply for a person', now(), 'Accept', 'NotTheProposedLead', 'partner.example', false)");
        await using var browser = await WebDriverSession.StartAsync();
        var violations = new List<string>();

        await browser.GoToAsync(new Uri(Worker.BaseAddress, "/signin"));
        violations.AddRange((await browser.AxeViolationsAsync()).Select(v => $"/signin: {v}"));
        await browser.SubmitSignInAsync("vera", Password);
        foreach (var page in new[]
                 {
                     "/hangfire/notifications", "/hangfire/handovers", "/hangfire/delivery-reports", "/hangfire/quarantine",
                     "/hangfire/monitoring?from=2026-07-01&to=2026-09-30", "/hangfire/audit?source=social-care&id=SC-1", "/hangfire/replies",
                 })
        {
            await browser.GoToAsync(new Uri(Worker.BaseAddress, page));
            violations.AddRange((await browser.AxeViolationsAsync()).Select(v => $"{page}: {v}"));
            // An error page passes axe too: each page must be itself, with its heading.
            var headings = (await browser.ExecuteAsync("return document.querySelectorAll('h1.page-header').length;")).GetInt32();
            violations.AddRange(headings == 1 ? [] : [$"{page}: {headings} page headings, not 1 (did the page fail?)"]);
        }

        await browser.GoToAsync(new Uri(Worker.BaseAddress, "/hangfire/monitoring?from=2026-07-01&to=2026-09-30"));
        var legends = (await browser.ExecuteAsync("return window.stepUpDownCharts['steps-per-week'].data.datasets.map(function (d) { return d.label; });"))
            .EnumerateArray().Select(l => l.GetString()).ToList();

        violations.ShouldBeEmpty();
        legends.ShouldContain("Handover stalled", "chart legends are words, not enum names");
        legends.ShouldNotContain("HandoverStalled");
    }

    [Fact]
    public async Task EveryMessageTheWorkerSends_HasNoSeriousOrCriticalViolationInItsHtml()
    {
        var templates = Worker.Get<MessageTemplates>();
        var samples = Samples();
        var folder = Directory.CreateTempSubdirectory("sud-axe-").FullName;
        await using var browser = await WebDriverSession.StartAsync();
        var violations = new List<string>();
        try
        {
            foreach (var sample in samples)
            {
                var file = Path.Combine(folder, $"{sample.Name}.html");
                await File.WriteAllTextAsync(file, templates.Render(sample.Template, sample.Model).Html);
                await browser.GoToAsync(new Uri(file));
                violations.AddRange((await browser.AxeViolationsAsync()).Select(v => $"{sample.Name}: {v}"));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        samples.Count.ShouldBeGreaterThan(20);
        violations.ShouldBeEmpty();
    }

    [Fact]
    public void EveryMessage_SaysFirstWhatTheRecipientMustDo_InPlainEnglish()
    {
        var templates = Worker.Get<MessageTemplates>();
        var samples = Samples();

        var firstLines = samples.Select(sample =>
        {
            // The first paragraph after the address lines ("To:"/"From:") or the greeting ("Dear ...,").
            var paragraphs = templates.Render(sample.Template, sample.Model).Text.ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return (sample.Name, First: paragraphs.SkipWhile(p => p.StartsWith("To:", StringComparison.Ordinal) || p.StartsWith("Dear ", StringComparison.Ordinal)).First());
        }).ToList();

        firstLines.Where(l => !l.First.StartsWith("Please ", StringComparison.Ordinal)).Select(l => $"{l.Name}: {l.First}").ShouldBeEmpty();
    }

    /// <summary>Every message the worker sends, over its sample child (as <c>-- preview-templates</c> writes them).</summary>
    private List<MessageSample> Samples() =>
        HandoverSamples.WithRules(Worker.Get<IOptions<CouncilOptions>>().Value, Worker.Get<IOptions<HandoverOptions>>().Value.ToLadder()).ToList();
}
