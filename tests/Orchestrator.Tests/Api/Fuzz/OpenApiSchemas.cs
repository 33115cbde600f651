using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Api.Fuzz;

/// <summary>Reads schemas of the served OpenAPI document: follows <c>$ref</c>s and builds minimal valid values.</summary>
public static class OpenApiSchemas
{
    public static JsonObject Resolve(JsonObject document, JsonNode schema)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(schema);
        var node = schema;
        for (var depth = 0; node?["$ref"] is { } reference && depth < 20; depth++)
        {
            var name = ((string)reference!).Split('/')[^1];
            node = document["components"]!["schemas"]![name];
        }
        return node!.AsObject();
    }

    public static IEnumerable<(string Name, JsonObject Schema)> Properties(JsonObject document, JsonObject schema) =>
        schema["properties"]?.AsObject().Select(p => (p.Key, Resolve(document, p.Value!))) ?? [];

    public static IReadOnlyList<string> Required(JsonObject schema) =>
        schema["required"]?.AsArray().Select(r => (string)r!).ToList() ?? [];

    /// <summary>A value built only from the declared required fields, each valid by its declared constraints.</summary>
    public static JsonNode? Minimal(JsonObject document, JsonObject schema, int depth = 0)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(schema);
        if (schema["enum"] is JsonArray choices) return choices.First(c => c is not null)!.DeepClone();
        if (schema["example"] is { } example) return example.DeepClone();
        var type = TypeOf(schema);
        return type switch
        {
            "object" when depth < 10 => new JsonObject(Required(schema).Select(name =>
                KeyValuePair.Create(name, Minimal(document, Resolve(document, schema["properties"]![name]!), depth + 1)))),
            "object" => new JsonObject(),
            "array" => new JsonArray(Enumerable.Range(0, (int?)schema["minItems"] ?? 0)
                .Select(_ => Minimal(document, Resolve(document, schema["items"]!), depth + 1)).ToArray()),
            "integer" or "number" => JsonValue.Create(Math.Max(1, double.TryParse((string?)schema["minimum"]?.ToString(), out var min) ? (long)Math.Ceiling(min) : 1)),
            "boolean" => JsonValue.Create(false),
            _ => JsonValue.Create("fuzz"),
        };
    }

    /// <summary>The schema's type, ignoring a <c>null</c> alternative (<c>["string","null"]</c>).</summary>
    public static string? TypeOf(JsonObject schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema["type"] switch
        {
            JsonArray types => types.Select(t => (string?)t).FirstOrDefault(t => t != "null"),
            JsonValue one => (string?)one,
            _ => schema["properties"] is not null ? "object" : null,
        };
    }
}
