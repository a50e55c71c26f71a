using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using DotLiquid;
using Microsoft.Extensions.Options;
using StepUpDown.Integration.Configuration;

namespace StepUpDown.Integration.Notifications;

/// <summary>A message rendered from its templates.</summary>
public sealed record RenderedMessage(string Subject, string Text, string Html);

/// <summary>
/// Liquid templates (DotLiquid) in the council's <c>config/templates</c> folder, three per message
/// kind: <c>KIND.subject.liquid</c>, <c>KIND.text.liquid</c> and, optionally, <c>KIND.html.liquid</c>
/// (without it, the HTML part is the text, encoded).
/// A council rewords them without rebuilding. The model's members appear in snake_case
/// (<c>child.given_name</c>); in the HTML template every value is already HTML-encoded.
/// A template that is missing, does not parse or fails to render is a
/// <see cref="PermanentDeliveryException"/>, never a blank email.
/// </summary>
public sealed class MessageTemplates(IOptions<NotificationOptions> options, ConfigFolder config)
{
    private static readonly JsonSerializerOptions ModelJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");
    private readonly ConcurrentDictionary<string, Template> _parsed = new(StringComparer.Ordinal);

    /// <summary>Renders the message of <paramref name="kind"/> over <paramref name="model"/>.</summary>
    public RenderedMessage Render(string kind, object model)
    {
        var json = JsonSerializer.SerializeToElement(model, ModelJson);
        var plain = (Hash)ToLiquid(json, encode: false)!;
        var html = (Hash)ToLiquid(json, encode: true)!;
        var subject = Render(kind, "subject", plain);
        var text = Render(kind, "text", plain);
        var htmlBody = HasTemplate(kind, "html") ? Render(kind, "html", html) : TextAsHtml(text);
        return new RenderedMessage(subject.Trim().ReplaceLineEndings(" "), text, htmlBody);
    }

    private string Render(string kind, string part, Hash model)
    {
        var name = $"{kind}.{part}";
        var template = _parsed.GetOrAdd(name, Parse);
        try
        {
            return template.Render(new RenderParameters(EnGb) { LocalVariables = model, ErrorsOutputMode = ErrorsOutputMode.Rethrow });
        }
        catch (Exception exception) when (exception is DotLiquid.Exceptions.LiquidException or InvalidOperationException or ArgumentException or FormatException)
        {
            // Only the type and the template's name: the exception's own message may quote the child's data.
            throw new PermanentDeliveryException($"Template {name}.liquid failed to render: {exception.GetType().Name}");
        }
    }

    private bool HasTemplate(string kind, string part) => File.Exists(PathOf($"{kind}.{part}"));

    private string PathOf(string name) => config.Resolve(Path.Combine(options.Value.TemplatesDirectory, $"{name}.liquid"));

    /// <summary>A message kind without an HTML template gets its text, encoded, in a simple page.</summary>
    private static string TextAsHtml(string text) =>
        $"""
        <!DOCTYPE html>
        <html lang="en-GB"><body><pre style="font-family: Arial, sans-serif; font-size: 14px; white-space: pre-wrap;">{WebUtility.HtmlEncode(text)}</pre></body></html>
        """;

    private Template Parse(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            throw new PermanentDeliveryException($"Template {name}.liquid is missing from {options.Value.TemplatesDirectory}.");
        }

        try
        {
            return Template.Parse(File.ReadAllText(path));
        }
        catch (DotLiquid.Exceptions.LiquidException exception)
        {
            throw new PermanentDeliveryException($"Template {name}.liquid does not parse: {exception.Message}");
        }
    }

    private static object? ToLiquid(JsonElement element, bool encode) => element.ValueKind switch
    {
        JsonValueKind.Object => Hash.FromDictionary(element.EnumerateObject().ToDictionary(p => p.Name, p => ToLiquid(p.Value, encode))),
        JsonValueKind.Array => element.EnumerateArray().Select(e => ToLiquid(e, encode)).ToList(),
        JsonValueKind.String => encode ? WebUtility.HtmlEncode(element.GetString()) : element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? whole : element.GetDecimal(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
