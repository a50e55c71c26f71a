using System.Text.Json;
using StepUpDown.Domain.Continuum;
using StepUpDown.Domain.Detection;
using StepUpDown.Domain.Records;

namespace StepUpDown.Integration.CaseFeeds;

/// <summary>One page item: the usable record, or why it is quarantined.</summary>
/// <param name="Record">The record, with the level it holds; null when it cannot be used.</param>
/// <param name="Payload">The item as received.</param>
/// <param name="Reason">Why it cannot be used (field names, never values); null when it can.</param>
/// <param name="ChildId">The item's <c>childId</c>, when it has a readable one.</param>
internal sealed record ParsedItem(SourceRecord? Record, string Payload, string? Reason, string? ChildId);

/// <summary>
/// Turns one raw feed item into a usable record or a reason to quarantine it: malformed JSON, a
/// field the contract requires, a value PostgreSQL cannot store (a NUL character, an id too long
/// to index), or a level code the source's map does not know.
/// </summary>
public sealed class FeedItemParser(LevelMaps levelMaps)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The continuum level of the record's agreed step down target, where it maps.</summary>
    public Level? AgreedTarget(string source, ChildRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return levelMaps.TryMapTarget(source, record.StepDown?.TargetLevel, out var level) ? level : null;
    }

    internal ParsedItem Parse(JsonElement item, string source)
    {
        var payload = item.GetRawText();
        var childId = ChildIdOf(item);
        if (PathOfNul(item, "$") is { } path)
        {
            // PostgreSQL stores no NUL character in text or jsonb: the whole page would be refused.
            return new ParsedItem(null, payload, $"a NUL character (\\u0000) at {path} cannot be stored", childId is { Length: <= RecordValidator.MaxIdLength } ? childId : null);
        }

        ChildRecord? record;
        try
        {
            record = item.Deserialize<ChildRecord>(JsonOptions);
        }
        catch (JsonException exception)
        {
            // The path names the field; the message is not used as it may quote the value.
            return new ParsedItem(null, payload, $"malformed JSON at {exception.Path ?? "$"}", childId);
        }

        if (record is null)
        {
            return new ParsedItem(null, payload, "the item is not a JSON object", childId);
        }

        var problems = RecordValidator.Validate(record);
        if (problems.Count > 0)
        {
            return new ParsedItem(null, payload, string.Join("; ", problems), childId is { Length: <= RecordValidator.MaxIdLength } ? childId : null);
        }

        return levelMaps.For(source).TryResolve(record, out var level)
            ? new ParsedItem(new SourceRecord(source, record, level) { AgreedTarget = AgreedTarget(source, record) }, payload, null, childId)
            : new ParsedItem(null, payload, $"levelOfNeed code '{record.LevelOfNeed}' is not mapped for this source", childId);
    }

    private static string? ChildIdOf(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("childId", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;

    /// <summary>The path of the first string or property name holding a NUL character; null when none does.</summary>
    private static string? PathOfNul(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return element.GetString()!.Contains('\0', StringComparison.Ordinal) ? path : null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name.Contains('\0', StringComparison.Ordinal))
                    {
                        return path;
                    }

                    if (PathOfNul(property.Value, $"{path}.{property.Name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var value in element.EnumerateArray())
                {
                    if (PathOfNul(value, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
