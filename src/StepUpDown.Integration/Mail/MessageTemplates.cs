using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Fluid;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Integration.Mail;

/// <summary>
/// Liquid templates (Fluid) in the council's <c>config/templates</c> folder, three per message
/// kind: <c>KIND.subject.liquid</c>, <c>KIND.text.liquid</c> and, optionally, <c>KIND.html.liquid</c>
/// (without it, the HTML part is the text, encoded).
/// A council rewords them without rebuilding. The model's members appear in snake_case
/// (<c>child.given_name</c>); the HTML template's output is HTML-encoded as it is written.
/// A template that is missing, does not parse or fails to render is a
/// <see cref="PermanentDeliveryException"/>, never a blank email.
/// </summary>
public sealed class MessageTemplates(IOptions<NotificationOptions> options, ConfigFolder config)
{
    private static readonly JsonSerializerOptions ModelJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Liquid = new() { CultureInfo = CultureInfo.GetCultureInfo("en-GB") };

    // Encodes what HTML would read (<, >, &, quotes); letters such as ë stay as they are in UTF-8.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);
    private readonly ConcurrentDictionary<string, IFluidTemplate> _parsed = new(StringComparer.Ordinal);

    /// <summary>Renders the message of <paramref name="kind"/> over <paramref name="model"/>.</summary>
    public RenderedMessage Render(string kind, object model)
    {
        // The model as Liquid values, once for the three parts.
        var values = JsonSerializer.SerializeToElement(model, ModelJson).EnumerateObject().Select(member => (member.Name, Value: ToLiquid(member.Value))).ToList();
        var subject = Render(kind, "subject", values, NullEncoder.Default);
        var text = Render(kind, "text", values, NullEncoder.Default);
        subject = subject.Trim().ReplaceLineEndings(" ");
        var htmlBody = HasTemplate(kind, "html") ? Render(kind, "html", values, Html) : TextAsHtml(text);
        return new RenderedMessage(subject, text, Titled(htmlBody, subject));
    }

    /// <summary>
    /// The HTML part with the subject as its document title where the template gives none (WCAG
    /// 2.4.2: a screen reader announces it first), so a council's own template is titled too.
    /// </summary>
    private static string Titled(string html, string subject)
    {
        if (html.Contains("<title", StringComparison.OrdinalIgnoreCase))
        {
            return html;
        }

        var title = $"<title>{WebUtility.HtmlEncode(subject)}</title>";
        var head = html.IndexOf("<head>", StringComparison.OrdinalIgnoreCase);
        if (head >= 0)
        {
            return html.Insert(head + "<head>".Length, title);
        }

        var body = html.IndexOf("<body", StringComparison.OrdinalIgnoreCase);
        return body < 0 ? html : html.Insert(body, $"<head><meta charset=\"utf-8\">{title}</head>\n");
    }

    /// <summary>
    /// Renders every sample; returns what failed (each names its template file), none when all
    /// render. Start-up refuses to run with a template that would fail on the day it is needed.
    /// </summary>
    public IReadOnlyList<string> Check(IEnumerable<MessageSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var failures = new List<string>();
        foreach (var sample in samples)
        {
            try
            {
                Render(sample.Template, sample.Model);
            }
            catch (PermanentDeliveryException exception)
            {
                failures.Add($"{NotificationOptions.SectionName}:TemplatesDirectory: {exception.Message}");
            }
        }

        return [.. failures.Distinct()];
    }

    private string Render(string kind, string part, IReadOnlyList<(string Name, object? Value)> values, TextEncoder encoder)
    {
        var name = $"{kind}.{part}";
        var template = _parsed.GetOrAdd(name, Parse);
        var context = new TemplateContext(Liquid);
        foreach (var (member, value) in values)
        {
            context.SetValue(member, value);
        }

        try
        {
            return template.Render(context, encoder);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Only the type and the template's name: the exception's own message may quote the child's data.
            throw new PermanentDeliveryException($"Template {name}.liquid failed to render: {exception.GetType().Name}");
        }
    }

    private bool HasTemplate(string kind, string part) => File.Exists(PathOf($"{kind}.{part}"));

    private string PathOf(string name) => config.Resolve(Path.Combine(options.Value.TemplatesDirectory, $"{name}.liquid"));

    private static string TextAsHtml(string text) =>
        $"""
        <!DOCTYPE html>
        <html lang="en-GB"><body><pre style="font-family: Arial, sans-serif; font-size: 14px; white-space: pre-wrap;">{WebUtility.HtmlEncode(text)}</pre></body></html>
        """;

    private IFluidTemplate Parse(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            throw new PermanentDeliveryException($"Template {name}.liquid is missing from {options.Value.TemplatesDirectory}.");
        }

        // A parse error quotes the template (the council's own words), never a child's data.
        return Parser.TryParse(File.ReadAllText(path), out var template, out var error)
            ? template
            : throw new PermanentDeliveryException($"Template {name}.liquid does not parse: {error}");
    }

    private static object? ToLiquid(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToLiquid(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(ToLiquid).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : element.GetDecimal(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
