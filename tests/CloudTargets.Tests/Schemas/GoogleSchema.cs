using System.Text.Json.Nodes;
using CloudTargets.Tests.Infrastructure;

namespace CloudTargets.Tests.Schemas;

/// <summary>Checks a request body against the message definitions in <c>shared/schemas/gcp</c> the way Google's JSON
/// transcoding does: unknown names, wrong types and bad enum values are 400 INVALID_ARGUMENT naming the field. This fake
/// also refuses deprecated fields (e.g. <c>Cluster.initialNodeCount</c>), which the real API would still take, so that
/// our requests never rely on them.</summary>
internal sealed class GoogleSchema
{
    private readonly Dictionary<string, JsonObject> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _enums = new(StringComparer.Ordinal);

    public static GoogleSchema Instance { get; } = Load();

    public bool HasMessage(string name) => _messages.ContainsKey(name);

    /// <returns>The first violation (Google reports one), or null when the body is acceptable.</returns>
    public Violation? Validate(string message, JsonNode? body) => ValidateMessage(message, body, "");

    private static GoogleSchema Load()
    {
        var schema = new GoogleSchema();
        foreach (var file in Directory.GetFiles(Path.Combine(SharedPaths.Schemas, "gcp"), "google.*.json"))
        {
            var root = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            foreach (var (name, definition) in root["messages"]?.AsObject() ?? [])
            {
                schema._messages[name] = definition!.AsObject();
            }

            foreach (var (name, values) in root["enums"]?.AsObject() ?? [])
            {
                schema._enums[name] = values!.AsArray().Select(v => (string)v!["name"]!).ToHashSet(StringComparer.Ordinal);
            }
        }

        return schema;
    }

    private Violation? ValidateMessage(string message, JsonNode? node, string path)
    {
        if (node is not JsonObject obj)
        {
            return Invalid(path, message, node);
        }

        var fields = _messages[message]["fields"]!.AsObject();
        foreach (var (key, value) in obj)
        {
            var field = fields[key] as JsonObject
                ?? fields.Select(f => f.Value as JsonObject).FirstOrDefault(f => (string?)f?["proto"] == key);
            if (field is null)
            {
                return new Violation(path, $"Invalid JSON payload received. Unknown name \"{key}\" at '{Display(path)}': Cannot find field.");
            }

            var fieldPath = Join(path, (string)field["proto"]!);
            if ((bool?)field["deprecated"] == true)
            {
                return new Violation(fieldPath, $"Field '{Display(fieldPath)}' is deprecated (use its replacement).");
            }

            if (value is null)
            {
                continue;
            }

            var violation = (bool?)field["repeated"] == true
                ? ValidateRepeated(field, value, fieldPath)
                : ValidateValue(field, value, fieldPath);
            if (violation is not null)
            {
                return violation;
            }
        }

        return null;
    }

    private Violation? ValidateRepeated(JsonObject field, JsonNode value, string path)
    {
        if (value is not JsonArray array)
        {
            return new Violation(path, $"Invalid value at '{Display(path)}', {value.ToJsonString()}: expected a list.");
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is { } item && ValidateValue(field, item, $"{path}[{i}]") is { } violation)
            {
                return violation;
            }
        }

        return null;
    }

    private Violation? ValidateValue(JsonObject field, JsonNode value, string path)
    {
        var type = (string)field["type"]!;
        var reference = (string?)field["ref"];
        switch (type)
        {
            case "message":
                return ValidateMessage(reference!, value, path);
            case "enum":
                return value is JsonValue v && (v.TryGetValue<string>(out var name) && _enums[reference!].Contains(name) || v.TryGetValue<int>(out _))
                    ? null : Invalid(path, reference!, value);
            case "map":
                if (value is not JsonObject map)
                {
                    return Invalid(path, "map", value);
                }

                var valueField = field["value"]!.AsObject();
                return map.Select(e => e.Value is null ? null : ValidateValue(valueField, e.Value, $"{path}[{e.Key}]")).FirstOrDefault(x => x is not null);
            default:
                return Scalar(type, reference, value) ? null : Invalid(path, type, value);
        }
    }

    private static bool Scalar(string type, string? reference, JsonNode value)
    {
        if (value is not JsonValue v)
        {
            return false;
        }

        return type switch
        {
            "string" or "bytes" => v.TryGetValue<string>(out _),
            "bool" => v.TryGetValue<bool>(out _),
            "int32" or "uint32" or "sint32" or "fixed32" => v.TryGetValue<int>(out _) || v.TryGetValue<string>(out var s) && int.TryParse(s, out _),
            "int64" or "uint64" or "sint64" or "fixed64" => v.TryGetValue<long>(out _) || v.TryGetValue<string>(out var l) && long.TryParse(l, out _),
            "double" or "float" => v.TryGetValue<double>(out _),
            "wkt" => reference == "google.protobuf.BoolValue" ? v.TryGetValue<bool>(out _) : v.TryGetValue<string>(out _),
            _ => true,
        };
    }

    private static Violation Invalid(string path, string type, JsonNode? value) =>
        new(path, $"Invalid value at '{Display(path)}' (type.googleapis.com/{type}), {value?.ToJsonString() ?? "null"}");

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Display(string path) => path.Length == 0 ? "(root)" : path;

    public sealed record Violation(string Field, string Message);
}
