using System.Text.Json;

namespace Orchestrator.Rollouts;

/// <summary>Finds a NUL character (<c>\u0000</c>, raw or escaped) in a JSON document's strings and property names.</summary>
public static class JsonNul
{
    /// <returns>The field path of the first string that holds one (<c>model.source</c>, <c>labels[1]</c>), or null.
    /// A document that is not JSON is left to the deserializer, which names its error.</returns>
    public static string? Find(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var path = new List<string>();
        var indexes = new List<int>(); // -1 for an object, else the next item's index in an array
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString() ?? "";
                        if (name.Contains('\0', StringComparison.Ordinal)) return Join(path, name);
                        SetLast(path, name);
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Item(path, indexes);
                        indexes.Add(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                        path.Add("");
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        indexes.RemoveAt(indexes.Count - 1);
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.String:
                        Item(path, indexes);
                        if (reader.GetString()!.Contains('\0', StringComparison.Ordinal)) return Join(path, null);
                        break;
                    default:
                        Item(path, indexes);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    // A value inside an array takes the array's next index as its path segment.
    private static void Item(List<string> path, List<int> indexes)
    {
        if (indexes.Count == 0 || indexes[^1] < 0) return;
        SetLast(path, $"[{indexes[^1]}]");
        indexes[^1]++;
    }

    private static void SetLast(List<string> path, string segment)
    {
        if (path.Count > 0) path[^1] = segment;
    }

    private static string Join(List<string> path, string? last)
    {
        var segments = last is null ? path : [.. path.Take(path.Count - 1), last];
        var text = string.Concat(segments.Select((s, i) => i == 0 || s.StartsWith('[') ? s : "." + s));
        return text.Length == 0 ? "$" : text.TrimStart('.');
    }
}
