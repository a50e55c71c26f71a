using MimeKit;
using StepUpDown.Integration.Tests.Fixtures;
using StepUpDown.Worker;

namespace StepUpDown.Integration.Tests.Notifications;

/// <summary>
/// The council's templates are proved before they are needed: <c>preview-templates</c> writes
/// every message kind for review, and a broken template stops start-up naming its file.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class TemplatePreviewTests(PostgresFixture postgres, MailDevFixture mail) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sud-preview-").FullName;

    private static string Shipped => Path.Combine(AppContext.BaseDirectory, "config", "templates");

    [Fact]
    public async Task PreviewTemplates_WritesEveryMessageKind_AsAnEmailAndAPage_OverAFictionalChild()
    {
        var database = await postgres.CreateDatabaseAsync();
        var output = Path.Combine(_folder, "preview");

        var exit = await Commands.TryRunAsync(["preview-templates", "--out", output, $"--ConnectionStrings:StepUpDown={database}"]);

        exit.ShouldBe(0);
        var emails = Directory.GetFiles(output, "*.eml").Select(Path.GetFileNameWithoutExtension).ToList();
        emails.Count.ShouldBeGreaterThanOrEqualTo(20);
        Directory.GetFiles(output, "*.html").Length.ShouldBe(emails.Count);
        var kinds = Directory.GetFiles(Shipped, "*.subject.liquid").Select(f => Path.GetFileName(f).Split('.')[0]).ToList();
        kinds.ShouldAllBe(kind => emails.Any(e => e!.StartsWith(kind + "--", StringComparison.Ordinal) || e == kind), "every shipped template is previewed");
        emails.ShouldContain("gp-step-notice--StepDown");
        emails.ShouldContain("handover-escalation--stage-2");
        foreach (var name in emails)
        {
            var message = await MimeMessage.LoadAsync(Path.Combine(output, $"{name}.eml"));
            message.Subject.ShouldNotBeNullOrWhiteSpace(name);
            message.TextBody.ShouldNotBeNullOrWhiteSpace(name);
            message.HtmlBody.ShouldStartWith("<!DOCTYPE html>", customMessage: name);
            message.Headers["Auto-Submitted"].ShouldBe("auto-generated", name);
            (await File.ReadAllTextAsync(Path.Combine(output, $"{name}.html"))).ShouldBe(message.HtmlBody);
        }
    }

    [Fact]
    public async Task Start_WithATemplateThatDoesNotParse_FailsNamingTheFile()
    {
        foreach (var file in Directory.GetFiles(Shipped))
        {
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        }

        await File.WriteAllTextAsync(Path.Combine(_folder, "massh-notice.text.liquid"), "Dear {{ recipient.name }},\n{% if step.is_step_up %}up{% endfor %}");

        var failure = await Should.ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
            await WorkerHarness.StartAsync(await postgres.CreateDatabaseAsync(), null, mail, s => s["Notifications:TemplatesDirectory"] = _folder));

        failure.Message.ShouldContain("Notifications:TemplatesDirectory: Template massh-notice.text.liquid does not parse");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
