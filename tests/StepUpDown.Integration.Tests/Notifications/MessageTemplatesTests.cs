using Microsoft.Extensions.Options;
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Mail;

namespace StepUpDown.Integration.Tests.Notifications;

public sealed class MessageTemplatesTests : IDisposable
{
    private readonly string _config = Directory.CreateTempSubdirectory("sud-templates-").FullName;

    private MessageTemplates Templates(params (string Name, string Text)[] files)
    {
        Directory.CreateDirectory(Path.Combine(_config, "templates"));
        foreach (var (name, text) in files)
        {
            File.WriteAllText(Path.Combine(_config, "templates", $"{name}.liquid"), text);
        }

        return new MessageTemplates(Options.Create(new NotificationOptions()), new ConfigFolder(_config));
    }

    [Fact]
    public void Render_EncodesValuesInTheHtmlTemplate_AndNotInTheText()
    {
        var templates = Templates(("k.subject", "Hi {{ name }}"), ("k.text", "{{ name }}"), ("k.html", "<p>{{ name }}</p>"));

        var message = templates.Render("k", new { Name = "<b>Zoë</b>" });

        message.ShouldBe(new RenderedMessage("Hi <b>Zoë</b>", "<b>Zoë</b>", "<p>&lt;b&gt;Zoë&lt;/b&gt;</p>"));
    }

    [Fact]
    public void Render_WithoutAnHtmlTemplate_SendsTheTextEncodedAsHtml()
    {
        var templates = Templates(("k.subject", "s"), ("k.text", "a < b\nnext line"));

        templates.Render("k", new { }).Html.ShouldContain("a &lt; b\nnext line");
    }

    [Fact]
    public void Render_TemplateThatDoesNotParse_IsAPermanentFailureNamingIt()
    {
        var templates = Templates(("k.subject", "s"), ("k.text", "{% if %}"));

        Should.Throw<PermanentDeliveryException>(() => templates.Render("k", new { })).Message.ShouldContain("k.text.liquid does not parse");
    }

    [Fact]
    public void Render_TemplateThatFailsOnTheChildsData_KeepsOnlyTheTypeAndTheTemplateName()
    {
        // A render error on a value from the record: the engine's own exception may quote what it was given.
        var templates = Templates(("k.subject", "s"), ("k.text", "{% include name %}"));

        var failure = Should.Throw<PermanentDeliveryException>(() => templates.Render("k", new { Name = "Zebedee" }));

        failure.Message.ShouldContain("k.text.liquid failed to render");
        failure.ToString().ShouldNotContain("Zebedee");
        failure.InnerException.ShouldBeNull("an inner exception's message would reach the log and Hangfire's state");
    }

    [Fact]
    public void Render_MissingTemplate_IsAPermanentFailureNamingIt() =>
        Should.Throw<PermanentDeliveryException>(() => Templates().Render("absent", new { })).Message.ShouldContain("absent.subject.liquid is missing");

    [Fact]
    public void ShippedTemplates_EveryRuleHasItsSubjectAndText()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "config", "templates");

        foreach (var template in NotificationRules.All.Select(r => r.Template).Append("massh-nhs-match").Append("massh-undelivered").Distinct())
        {
            File.Exists(Path.Combine(shipped, $"{template}.subject.liquid")).ShouldBeTrue(template);
            File.Exists(Path.Combine(shipped, $"{template}.text.liquid")).ShouldBeTrue(template);
        }
    }

    [Fact]
    public void ShippedTemplates_EveryMessageKind_HasAnHtmlPart_AndEveryPartRendersTheChildAndTheCouncilsNumbers()
    {
        var templates = new MessageTemplates(Options.Create(new NotificationOptions()), new ConfigFolder(Path.Combine(AppContext.BaseDirectory, "config")));
        var kinds = NotificationRules.All.Select(r => r.Template)
            .Concat(["massh-nhs-match", "massh-undelivered", "handover-reminder", "handover-escalation"])
            .Distinct();
        var record = new StepUpDown.Domain.Records.ChildRecord
        {
            ChildId = "SC-1",
            NhsNumber = "9434765919",
            Name = new StepUpDown.Domain.Records.PersonName("Ada", "Lovelace"),
            LeadProfessional = new StepUpDown.Domain.Records.Professional { Name = "Grace Hopper", Email = "grace@council.example" },
            StepDown = new StepUpDown.Domain.Records.StepDownAgreement { AgreedOn = new DateOnly(2026, 11, 18), Forum = "cp-conference", TargetLevel = "EH" },
        };
        var level = new StepUpDown.Domain.Continuum.Level("early-help", "Early help", 2);
        var step = new StepFacts(StepUpDown.Domain.Detection.StepKind.StepDown, level, level, StepUpDown.Domain.Detection.StepMarkers.None, null, "social-care");
        var handover = new StepUpDown.Domain.Handovers.HandoverDetails("Stage 1", false, 5, ["SMART plan updated"], new DateOnly(2026, 11, 18), true);
        var council = new CouncilOptions { Name = "Example Council", OfficeHoursPhone = "0100 111 2222", OutOfHoursPhone = "0100 333 4444" };

        foreach (var kind in kinds)
        {
            var notice = Notice.Create(Guid.NewGuid(), record, step, new RecipientView("Someone", "role"), council, null, new UndeliveredView("gp", "why"), handover, "Early help");
            var message = templates.Render(kind, notice);

            File.Exists(Path.Combine(AppContext.BaseDirectory, "config", "templates", $"{kind}.html.liquid")).ShouldBeTrue(kind);
            message.Html.ShouldStartWith("<!DOCTYPE html>", customMessage: kind);
            message.Html.ShouldNotContain("<pre", customMessage: kind);
            foreach (var part in new[] { message.Text, message.Html })
            {
                part.ShouldContain("Ada", customMessage: kind);
                part.ShouldContain(council.OfficeHoursPhone, customMessage: kind);
                part.ShouldContain(council.OutOfHoursPhone, customMessage: kind);
            }
        }
    }

    public void Dispose() => Directory.Delete(_config, recursive: true);
}
