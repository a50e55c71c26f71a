using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using Fluid;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Integration.Notifications;

/// <summary>A message rendered from its templates.</summary>
public sealed record RenderedMessage(string Subject, string Text, string Html);

/// <summary>
/// Liquid templates (Fluid) in the council's <c>config/templates</c> folder, three per message
/// kind: <c>KIND.subject.liquid</c>, <c>KIND.text.liquid</c> and <c>KIND.html.liquid</c>.
/// A council rewords them without rebuilding; a template that is missing or does not parse is
/// a <see cref="PermanentDeliveryException"/>, never a blank email.
/// </summary>
public sealed class MessageTemplates(IOptions<NotificationOptions> options, ConfigFolder config)
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions RenderOptions = CreateRenderOptions();
    private readonly ConcurrentDictionary<string, IFluidTemplate> _parsed = new(StringComparer.Ordinal);

    /// <summary>Renders the message of <paramref name="kind"/> over <paramref name="model"/>.</summary>
    public async Task<RenderedMessage> RenderAsync(string kind, object model)
    {
        var subject = await RenderAsync(kind, "subject", model, NullEncoder.Default);
        var text = await RenderAsync(kind, "text", model, NullEncoder.Default);
        var html = await RenderAsync(kind, "html", model, HtmlEncoder.Default);
        return new RenderedMessage(subject.Trim().ReplaceLineEndings(" "), text, html);
    }

    private async Task<string> RenderAsync(string kind, string part, object model, TextEncoder encoder)
    {
        var template = _parsed.GetOrAdd($"{kind}.{part}", name => Parse(name));
        try
        {
            return await template.RenderAsync(new TemplateContext(model, RenderOptions), encoder);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new PermanentDeliveryException($"Template {kind}.{part}.liquid failed to render: {exception.GetType().Name}", exception);
        }
    }

    private IFluidTemplate Parse(string name)
    {
        var path = config.Resolve(Path.Combine(options.Value.TemplatesDirectory, $"{name}.liquid"));
        if (!File.Exists(path))
        {
            throw new PermanentDeliveryException($"Template {name}.liquid is missing from {options.Value.TemplatesDirectory}.");
        }

        return Parser.TryParse(File.ReadAllText(path), out var template, out var error)
            ? template
            : throw new PermanentDeliveryException($"Template {name}.liquid does not parse: {error}");
    }

    private static TemplateOptions CreateRenderOptions()
    {
        var renderOptions = new TemplateOptions
        {
            MemberAccessStrategy = new UnsafeMemberAccessStrategy { MemberNameStrategy = MemberNameStrategies.SnakeCase },
            CultureInfo = System.Globalization.CultureInfo.GetCultureInfo("en-GB"),
        };
        return renderOptions;
    }
}
