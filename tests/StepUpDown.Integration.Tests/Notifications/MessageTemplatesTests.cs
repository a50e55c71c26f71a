using Microsoft.Extensions.Options;
using StepUpDown.Domain.Notifications;
using StepUpDown.Integration.Configuration;
using StepUpDown.Integration.Notifications;

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

        message.ShouldBe(new RenderedMessage("Hi <b>Zoë</b>", "<b>Zoë</b>", "<p>&lt;b&gt;Zo&#235;&lt;/b&gt;</p>"));
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

    public void Dispose() => Directory.Delete(_config, recursive: true);
}
