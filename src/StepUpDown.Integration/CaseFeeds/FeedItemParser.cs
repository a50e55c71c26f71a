using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
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
/// Turns one raw feed item into a usable record or a reason to quarantine it: nesting deeper than
/// any record has, malformed JSON, a <c>null</c> where the contract allows none, a field the
/// contract requires, a value PostgreSQL cannot store (a NUL character, an id too long to index),
/// or a level code the source's map does not know. Whatever else goes wrong while reading one item
/// quarantines that item, named by the exception's type, never its message (which may quote a value).
/// </summary>
public sealed class FeedItemParser(LevelMaps levelMaps, TimeProvider time)
{
    /// <summary>Deeper than any record of the contract nests (a plan's outcome is four levels down).</summary>
    public const int MaxItemDepth = 32;

    /// <summary>
    /// A <c>null</c> in a property the contract does not mark nullable (a lead professional's
    /// <c>name</c>, a <c>serviceId</c>, <c>levelOfNeed</c>) is malformed JSON at that path, not a
    /// value the detector later trips over.
    /// </summary>
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { RespectNullableAnnotations = true };

    /// <summary>
    /// No practical depth limit on the document (it is parsed without recursion): an item nested
    /// deeper than any record is quarantined for that, by name, not as malformed.
    /// </summary>
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 1_000_000 };

    /// <summary>The continuum level of the record's agreed step down target, where it maps.</summary>
    public Level? AgreedTarget(string source, ChildRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return levelMaps.TryMapTarget(source, record.StepDown?.TargetLevel, out var level) ? level : null;
    }

    /// <summary>
    /// One item's bytes, judged inside one guard: whatever they hold (bytes that are not UTF-8, a
    /// raw NUL, text that is not JSON) quarantines this item alone, with a reason that names a
    /// byte offset or a field, never a value.
    /// </summary>
    internal ParsedItem Parse(ReadOnlyMemory<byte> item, string source)
    {
        var payload = StorableText(item.Span);
        string? childId = null;
        try
        {
            using var document = JsonDocument.Parse(item, DocumentOptions);
            childId = ChildIdOf(document.RootElement);
            return FirstInvalidUtf8(item.Span) is { } at
                ? new ParsedItem(null, payload, $"not UTF-8 at byte {at}", childId)
                : Read(document.RootElement, source, payload, childId);
        }
        catch (JsonException exception)
        {
            // The reader's position, never its message (it may quote the bytes). The case id is
            // read as a page is split, so that a person can find the child by it.
            childId = RawPage.Property(item, "childId") is { } id ? ChildIdOf(id) : null;
            var reason = FirstInvalidUtf8(item.Span) is { } at ? $"not UTF-8 at byte {at}" : $"not valid JSON at byte {exception.BytePositionInLine} of line {exception.LineNumber + 1}";
            return new ParsedItem(null, payload, reason, childId);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new ParsedItem(null, payload, $"could not be read: {exception.GetType().Name}", childId);
        }
    }

    /// <summary>The offset of the first byte that does not begin a valid UTF-8 sequence (overlong forms and encoded surrogates included); null when all are valid.</summary>
    internal static int? FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return null;
        }

        for (var at = 0; at < bytes.Length;)
        {
            if (Rune.DecodeFromUtf8(bytes[at..], out _, out var consumed) != OperationStatus.Done)
            {
                return at;
            }

            at += consumed;
        }

        return null;
    }

    /// <summary>
    /// The item as text a quarantine row can hold: each invalid UTF-8 sequence and each raw NUL
    /// becomes U+FFFD, so a person can still read the record it was meant to be.
    /// </summary>
    private static string StorableText(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes).Replace('\0', '\uFFFD');

    private ParsedItem Read(JsonElement item, string source, string payload, string? childId)
    {
        if (IsDeeperThan(item, MaxItemDepth))
        {
            return new ParsedItem(null, payload, $"nested deeper than {MaxItemDepth} levels", childId);
        }

        if (Unstorable(item, "$") is var (what, path))
        {
            // PostgreSQL would refuse the whole page.
            return new ParsedItem(null, payload, $"{what} at {path} cannot be stored", childId);
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

        var problems = RecordValidator.Validate(record, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        if (problems.Count > 0)
        {
            return new ParsedItem(null, payload, string.Join("; ", problems), childId);
        }

        return levelMaps.For(source).TryResolve(record, out var level)
            ? new ParsedItem(new SourceRecord(source, record, level) { AgreedTarget = AgreedTarget(source, record) }, payload, null, childId)
            : new ParsedItem(null, payload, $"levelOfNeed code '{record.LevelOfNeed}' is not mapped for this source", childId);
    }

    private static string? ChildIdOf(ReadOnlyMemory<byte> value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            return FirstInvalidUtf8(value.Span) is null ? UsableChildId(document.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The item's <c>childId</c> for its quarantine row; null when it has none that can be stored and indexed.</summary>
    private static string? ChildIdOf(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("childId", out var id) ? UsableChildId(id) : null;

    private static string? UsableChildId(JsonElement id) =>
        id.ValueKind == JsonValueKind.String && FlawOf(id.GetString) is null && id.GetString() is { Length: > 0 and <= RecordValidator.MaxIdLength } childId
            ? childId
            : null;

    /// <summary>True when <paramref name="element"/> nests more than <paramref name="levels"/> levels (it looks no deeper than that).</summary>
    private static bool IsDeeperThan(JsonElement element, int levels) =>
        element.ValueKind switch
        {
            JsonValueKind.Object => levels == 0 || element.EnumerateObject().Any(p => IsDeeperThan(p.Value, levels - 1)),
            JsonValueKind.Array => levels == 0 || element.EnumerateArray().Any(v => IsDeeperThan(v, levels - 1)),
            _ => false,
        };

    /// <summary>
    /// The first string or property name PostgreSQL cannot store (a NUL character, or a lone
    /// surrogate, which no UTF-8 text can hold): what it holds and its path; null when none.
    /// </summary>
    private static (string What, string Path)? Unstorable(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return FlawOf(element.GetString) is { } flaw ? (flaw, path) : null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (FlawOf(() => property.Name) is { } nameFlaw)
                    {
                        return (nameFlaw, path);
                    }

                    if (Unstorable(property.Value, $"{path}.{property.Name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var value in element.EnumerateArray())
                {
                    if (Unstorable(value, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string? FlawOf(Func<string?> read)
    {
        try
        {
            return read()!.Contains('\0', StringComparison.Ordinal) ? "a NUL character (\\u0000)" : null;
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json cannot turn an escaped lone surrogate into a string.
            return "a lone surrogate (invalid Unicode)";
        }
    }
}
