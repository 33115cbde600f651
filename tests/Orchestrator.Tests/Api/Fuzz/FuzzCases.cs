using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Api.Fuzz;

/// <summary>The hostile values and malformed bodies the fuzzer sends.</summary>
public static class FuzzCases
{
    /// <summary>Path and query values, already percent-encoded as they go on the wire.</summary>
    public static readonly string[] HostileValues =
    [
        "%00", "a%00b", "%01", "%1F", "%7F", "%FF%FE", "..%2F..%2Fetc%2Fpasswd", "../../etc", "%2E%2E",
        Uri.EscapeDataString("' OR 1=1; DROP TABLE runs;--"), Uri.EscapeDataString("ünï☃𝄞\u202E"), Uri.EscapeDataString("\uFFFF"),
        "-1", "0", "99999999999999999999", "00000000-0000-0000-0000-000000000000", new string('a', 3000),
        // Past Kestrel's request-line limit (8 KiB): Kestrel's own 414.
        new string('b', 10_000),
    ];

    public static IEnumerable<(string Name, HttpContent Content)> MalformedBodies(JsonObject document, JsonObject schema)
    {
        yield return ("not JSON", Text("this is not json"));
        yield return ("truncated", Text("{\"a\":"));
        yield return ("empty", Text(""));
        yield return ("JSON null", Text("null"));
        yield return ("array", Text("[1,2,3]"));
        yield return ("number", Text("42"));
        yield return ("non-UTF-8", Bytes([(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'"', 0xC3, (byte)'"', (byte)'}']));
        yield return ("non-UTF-8 in a string", Bytes([.. "{\"name\":\""u8.ToArray(), 0xC0, 0xAF, 0xFF, .. "\"}"u8.ToArray()]));
        yield return ("deep nesting", Text(string.Concat(Enumerable.Repeat("{\"a\":", 5000)) + "1" + new string('}', 5000)));
        yield return ("deep arrays", Text(new string('[', 20_000) + new string(']', 20_000)));
        yield return ("wrong content type", new StringContent(Minimal(document, schema).ToJsonString(), Encoding.UTF8, "text/plain"));
        var properties = OpenApiSchemas.Properties(document, schema).Select(p => p.Name).ToList();
        var required = OpenApiSchemas.Required(schema);
        yield return ("nulls for required", Json(Replace(Minimal(document, schema), required, _ => null)));
        yield return ("wrong types: objects", Json(Replace(Minimal(document, schema), properties, _ => new JsonObject { ["x"] = new JsonArray(1) })));
        yield return ("wrong types: numbers", Json(Replace(Minimal(document, schema), properties, _ => JsonValue.Create(12345))));
        yield return ("wrong types: booleans", Json(Replace(Minimal(document, schema), properties, _ => JsonValue.Create(true))));
        yield return ("wrong types: strings", Json(Replace(Minimal(document, schema), properties, _ => JsonValue.Create("zzz"))));
        yield return ("huge strings", Json(Replace(Minimal(document, schema), properties, _ => JsonValue.Create(new string('h', 200_000)))));
        yield return ("control characters", Json(Replace(Minimal(document, schema), properties, _ => JsonValue.Create("a\u0001b\u007fc\u0000"))));
        yield return ("SQL-ish strings", Json(Replace(Minimal(document, schema), properties, _ => JsonValue.Create("'); DROP TABLE runs;--"))));
        yield return ("minimal", Json(Minimal(document, schema)));
    }

    public static JsonObject Minimal(JsonObject document, JsonObject schema) =>
        OpenApiSchemas.Minimal(document, schema) as JsonObject ?? [];

    public static HttpContent Json(JsonNode body) => Text(body.ToJsonString());

    private static JsonObject Replace(JsonObject body, IEnumerable<string> names, Func<string, JsonNode?> value)
    {
        foreach (var name in names) body[name] = value(name);
        return body;
    }

    private static StringContent Text(string text) => new(text, Encoding.UTF8, "application/json");

    private static ByteArrayContent Bytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        return content;
    }
}
