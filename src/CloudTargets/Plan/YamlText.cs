using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CloudTargets.Plan;

/// <summary>Block-style YAML of a JSON value, as <c>kubectl get -o yaml</c> shows manifests (for the human plan).</summary>
public static class YamlText
{
    public static string Write(JsonNode? node)
    {
        var text = new StringBuilder();
        Emit(node, 0, text, inSequence: false);
        return text.ToString();
    }

    private static void Emit(JsonNode? node, int indent, StringBuilder text, bool inSequence)
    {
        var pad = new string(' ', indent);
        switch (node)
        {
            case JsonObject { Count: > 0 } obj:
                var first = true;
                foreach (var (key, value) in obj)
                {
                    text.Append(first && inSequence ? "" : pad).Append(Scalar(key)).Append(':');
                    first = false;
                    Child(value, indent, text);
                }

                break;
            case JsonArray { Count: > 0 } array:
                foreach (var item in array)
                {
                    text.Append(pad).Append("- ");
                    if (item is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                    {
                        Emit(item, indent + 2, text, inSequence: item is JsonObject);
                    }
                    else
                    {
                        text.Append(Scalar(item)).Append('\n');
                    }
                }

                break;
            default:
                text.Append(pad).Append(Scalar(node)).Append('\n');
                break;
        }
    }

    private static void Child(JsonNode? value, int indent, StringBuilder text)
    {
        if (value is JsonObject { Count: > 0 })
        {
            text.Append('\n');
            Emit(value, indent + 2, text, inSequence: false);
        }
        else if (value is JsonArray { Count: > 0 })
        {
            text.Append('\n');
            Emit(value, indent, text, inSequence: false);
        }
        else
        {
            text.Append(' ').Append(Scalar(value)).Append('\n');
        }
    }

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => Scalar((string)value!),
        _ => node.ToJsonString(),
    };

    // Quote what YAML would read as something else (numbers, booleans, null, special characters).
    private static string Scalar(string text) =>
        text.Length == 0 || text.Any(c => ":#{}[],&*!|>'\"%@`\n".Contains(c, StringComparison.Ordinal)) || text.Trim() != text
            || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            || text is "true" or "false" or "null" or "yes" or "no" or "True" or "False" or "~" or "-" || text.StartsWith("- ", StringComparison.Ordinal)
            ? Quoted(text)
            : text;

    private static string Quoted(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
