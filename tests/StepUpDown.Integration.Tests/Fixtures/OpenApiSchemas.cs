using System.Reflection;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace StepUpDown.Integration.Tests.Fixtures;

/// <summary>
/// The schemas of an OpenAPI document under <c>docs/</c>, compared field by field (JSON names, at
/// every depth) with the .NET type that reads or writes them.
/// </summary>
public sealed class OpenApiSchemas
{
    private readonly YamlMappingNode _schemas;

    private OpenApiSchemas(YamlMappingNode schemas) => _schemas = schemas;

    /// <summary>The schemas of <c>docs/<paramref name="file"/></c>.</summary>
    public static OpenApiSchemas Load(string file)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepositoryRoot.Path, "docs", file));
        yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return new OpenApiSchemas((YamlMappingNode)((YamlMappingNode)root["components"])["schemas"]);
    }

    /// <summary>The schema named <paramref name="name"/>.</summary>
    public YamlMappingNode this[string name] => (YamlMappingNode)_schemas[name];

    /// <summary>Where schema <paramref name="name"/> and <paramref name="type"/> differ: a field one names and the other does not.</summary>
    public IEnumerable<string> Differences(string name, Type type) => Compare(this[name], type, name);

    /// <summary>Where <paramref name="schema"/> and <paramref name="type"/> differ.</summary>
    public IEnumerable<string> Compare(YamlMappingNode schema, Type type, string path)
    {
        ArgumentNullException.ThrowIfNull(type);
        var fields = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal);
        var named = Properties(schema).ToList();
        foreach (var (name, node) in named)
        {
            if (!fields.TryGetValue(name, out var field))
            {
                yield return $"{path}.{name}: in the contract, not read";
                continue;
            }

            if (ObjectSchema(node) is { } inner && ElementType(field.PropertyType) is { IsClass: true } innerType && innerType != typeof(string))
            {
                foreach (var difference in Compare(inner, innerType, $"{path}.{name}"))
                {
                    yield return difference;
                }
            }
        }

        foreach (var name in fields.Keys.Where(name => named.All(p => p.Name != name)))
        {
            yield return $"{path}.{name}: read, not in the contract";
        }
    }

    /// <summary>Where a served JSON object differs from schema <paramref name="name"/>: a field it does not name, or a required one missing, at every depth.</summary>
    public IEnumerable<string> ServedDifferences(string name, JsonElement item) => CompareServed(this[name], item, name);

    private IEnumerable<string> CompareServed(YamlMappingNode schema, JsonElement item, string path)
    {
        var named = Properties(schema).ToDictionary(p => p.Name, p => p.Node, StringComparer.Ordinal);
        foreach (var field in item.EnumerateObject())
        {
            if (!named.TryGetValue(field.Name, out var node))
            {
                yield return $"{path}.{field.Name}: served, not in the contract";
                continue;
            }

            var values = field.Value.ValueKind == JsonValueKind.Array ? field.Value.EnumerateArray().ToList() : [field.Value];
            foreach (var value in values.Where(v => v.ValueKind == JsonValueKind.Object))
            {
                if (ObjectSchema(node) is { } inner)
                {
                    foreach (var difference in CompareServed(inner, value, $"{path}.{field.Name}"))
                    {
                        yield return difference;
                    }
                }
            }
        }

        foreach (var required in Required(schema).Where(r => !item.TryGetProperty(r, out _)))
        {
            yield return $"{path}.{required}: required, not served";
        }
    }

    /// <summary>The property names of an object schema.</summary>
    public static IEnumerable<(string Name, YamlMappingNode Node)> Properties(YamlMappingNode schema) =>
        schema.Children.TryGetValue("properties", out var properties)
            ? ((YamlMappingNode)properties).Children.Select(p => (((YamlScalarNode)p.Key).Value!, (YamlMappingNode)p.Value))
            : [];

    /// <summary>The names an object schema requires.</summary>
    public static IEnumerable<string> Required(YamlMappingNode schema) =>
        schema.Children.TryGetValue("required", out var required) ? ((YamlSequenceNode)required).Children.Select(r => ((YamlScalarNode)r).Value!) : [];

    /// <summary>The object schema a property holds: inline, an array's items, or a <c>$ref</c> (also under <c>allOf</c>).</summary>
    private YamlMappingNode? ObjectSchema(YamlMappingNode node)
    {
        if (node.Children.TryGetValue("$ref", out var reference))
        {
            return this[((YamlScalarNode)reference).Value!.Split('/')[^1]];
        }

        if (node.Children.TryGetValue("allOf", out var all) && all is YamlSequenceNode { Children: [YamlMappingNode first, ..] })
        {
            return ObjectSchema(first);
        }

        if (node.Children.TryGetValue("items", out var items))
        {
            return ObjectSchema((YamlMappingNode)items);
        }

        return node.Children.ContainsKey("properties") ? node : null;
    }

    private static Type ElementType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? type.GetGenericArguments()[0] : Nullable.GetUnderlyingType(type) ?? type;
}
