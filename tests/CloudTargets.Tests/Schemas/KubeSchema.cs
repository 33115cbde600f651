using System.Text.Json.Nodes;
using CloudTargets.Tests.Infrastructure;

namespace CloudTargets.Tests.Schemas;

/// <summary>Checks an object against the Kubernetes 1.35 OpenAPI v3 documents in <c>shared/schemas/kubernetes</c> as the
/// API server does under strict field validation: an undeclared field or a wrong type is a 400 BadRequest naming the
/// field's path; a missing required field is a 422 Invalid.</summary>
internal sealed class KubeSchema
{
    private readonly Dictionary<string, JsonObject> _schemas = new(StringComparer.Ordinal);

    public static KubeSchema Instance { get; } = Load();

    public static string SchemaName(string kind) => kind switch
    {
        "Deployment" => "io.k8s.api.apps.v1.Deployment",
        "Job" => "io.k8s.api.batch.v1.Job",
        "Scale" => "io.k8s.api.autoscaling.v1.Scale",
        _ => $"io.k8s.api.core.v1.{kind}",
    };

    /// <returns>Undeclared fields and type errors (400), then missing required fields (422).</returns>
    public (List<string> Strict, List<string> Required) Validate(string kind, JsonNode body)
    {
        var strict = new List<string>();
        var required = new List<string>();
        Check(_schemas[SchemaName(kind)], body, "", strict, required);
        return (strict, required);
    }

    private static KubeSchema Load()
    {
        var schema = new KubeSchema();
        foreach (var file in Directory.GetFiles(Path.Combine(SharedPaths.Schemas, "kubernetes"), "*.json"))
        {
            var root = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            foreach (var (name, definition) in root["components"]!["schemas"]!.AsObject())
            {
                schema._schemas[name] = definition!.AsObject();
            }
        }

        return schema;
    }

    private JsonObject Resolve(JsonObject schema)
    {
        while (true)
        {
            if (schema["$ref"] is JsonValue reference)
            {
                schema = _schemas[((string)reference!)["#/components/schemas/".Length..]];
            }
            else if (schema["allOf"] is JsonArray { Count: 1 } allOf)
            {
                schema = allOf[0]!.AsObject();
            }
            else
            {
                return schema;
            }
        }
    }

    private void Check(JsonObject schema, JsonNode? node, string path, List<string> strict, List<string> required)
    {
        schema = Resolve(schema);
        if (node is null)
        {
            return;
        }

        if (schema["oneOf"] is JsonArray oneOf)
        {
            if (!oneOf.Any(option => TypeMatches((string?)option!["type"], node)))
            {
                strict.Add($"{Display(path)}: expected one of {string.Join(", ", oneOf.Select(o => (string?)o!["type"]))}, got {node.ToJsonString()}");
            }

            return;
        }

        var type = (string?)schema["type"];
        if (type is not null && !TypeMatches(type, node))
        {
            strict.Add($"{Display(path)}: expected {type}, got {node.ToJsonString()}");
            return;
        }

        if (type == "string" && (string?)schema["format"] == "byte" && !IsBase64((string)node!))
        {
            strict.Add($"{Display(path)}: illegal base64 data");
        }

        if (node is JsonArray array && schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(items, array[i], $"{path}[{i}]", strict, required);
            }
        }

        if (node is JsonObject obj)
        {
            CheckObject(schema, obj, path, strict, required);
        }
    }

    private void CheckObject(JsonObject schema, JsonObject obj, string path, List<string> strict, List<string> required)
    {
        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"] as JsonObject;
        foreach (var (key, value) in obj)
        {
            var child = $"{path}.{key}";
            if (properties?[key] is JsonObject property)
            {
                Check(property, value, child, strict, required);
            }
            else if (additional is not null)
            {
                Check(additional, value, child, strict, required);
            }
            else if (properties is not null)
            {
                strict.Add($"{child}: field not declared in schema");
            }
        }

        foreach (var name in (schema["required"] as JsonArray ?? []).Select(n => (string)n!))
        {
            if (!obj.ContainsKey(name))
            {
                required.Add($"{path}.{name}: Required value");
            }
        }
    }

    private static bool TypeMatches(string? type, JsonNode node) => type switch
    {
        null => true,
        "object" => node is JsonObject,
        "array" => node is JsonArray,
        "string" => node is JsonValue v && v.TryGetValue<string>(out _),
        "integer" => node is JsonValue v && v.TryGetValue<long>(out _),
        "number" => node is JsonValue v && v.TryGetValue<double>(out _),
        "boolean" => node is JsonValue v && v.TryGetValue<bool>(out _),
        _ => true,
    };

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    private static string Display(string path) => path.Length == 0 ? "." : path;
}
