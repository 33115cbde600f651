using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary>Reading the API's JSON for human output: a missing or null member reads as empty, never as an error.</summary>
public static class Json
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Str(JsonNode? node, string name) => node?[name] switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        var other => other.ToJsonString(),
    };

    public static DateTimeOffset? Time(JsonNode? node, string name) =>
        DateTimeOffset.TryParse(Str(node, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public static IEnumerable<JsonNode> Items(JsonNode? node) => (node as JsonArray)?.OfType<JsonNode>() ?? [];

    public static string Pretty(JsonNode? node) => node?.ToJsonString(Indented) ?? "null";

    /// <summary>A list shown in a cell: <c>a,b</c>; an empty list is <c>-</c>.</summary>
    public static string List(JsonNode? node, string name)
    {
        var items = Items(node?[name]).Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n.ToJsonString()).ToList();
        return items.Count == 0 ? "-" : string.Join(',', items);
    }

    public static string OrDash(string text) => text.Length == 0 ? "-" : text;

    public static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 0 => "0s",
        < 60 => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s",
        < 3600 => $"{(int)span.TotalMinutes}m{span.Seconds:00}s",
        _ => $"{(int)span.TotalHours}h{span.Minutes:00}m",
    };

    public static string Ago(DateTimeOffset? at, DateTimeOffset now) => at is null ? "-" : Duration(now - at.Value) + " ago";
}
