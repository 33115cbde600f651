using System.Text.Json;
using EngineImage.Inference;

namespace EngineImage.Serving;

/// <summary>
/// Reads a <c>/generate</c> body by hand rather than by model binding, so that every refusal names the field and what
/// was wrong with it. Unknown fields are ignored, as jetstream-http does.
/// </summary>
public static class GenerateBodyParser
{
    public const int DefaultMaxTokens = 100;

    public static async Task<(GenerateBody? Body, BadRequest? Error)> ParseAsync(Stream body, int maxCacheLength, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(body, default, cancellationToken);
        }
        catch (JsonException e)
        {
            return (null, new BadRequest(null, $"The request body is not valid JSON: {e.Message}"));
        }
        using (document)
        {
            return Parse(document.RootElement, maxCacheLength);
        }
    }

    public static (GenerateBody? Body, BadRequest? Error) Parse(JsonElement root, int maxCacheLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return (null, new BadRequest(null, $"The request body must be a JSON object, got {Describe(root)}"));
        if (!root.TryGetProperty("prompt", out var promptElement) || promptElement.ValueKind == JsonValueKind.Null)
            return Fail("prompt", "prompt is required");
        if (promptElement.ValueKind != JsonValueKind.String)
            return Fail("prompt", $"prompt must be a string, got {Describe(promptElement)}");

        // Every reader runs (each assigns its value); the first refusal, in field order, is the answer.
        BadRequest?[] errors =
        [
            ReadInt(root, "max_tokens", DefaultMaxTokens, out var maxTokens),
            ReadBool(root, "stream", false, out var stream),
            ReadBool(root, "return_token_ids", false, out var returnIds),
            ReadFloat(root, "temperature", 0f, out var temperature),
            ReadInt(root, "top_k", 0, out var topK),
            ReadFloat(root, "top_p", 1f, out var topP),
            ReadNullableInt(root, "seed", out var seed),
        ];
        var error = Array.Find(errors, e => e is not null);
        if (error is not null) return (null, error);

        if (maxTokens <= 0 || maxTokens > maxCacheLength)
            return Fail("max_tokens", $"max_tokens must be between 1 and the cache length {maxCacheLength}, got {maxTokens}");
        if (temperature < 0 || float.IsNaN(temperature))
            return Fail("temperature", $"temperature must be 0 (greedy) or more, got {temperature}");
        if (topK < 0)
            return Fail("top_k", $"top_k must be 0 (off) or more, got {topK}");
        if (topP is <= 0 or > 1 || float.IsNaN(topP))
            return Fail("top_p", $"top_p must be in (0, 1], got {topP}");

        var sampling = new SamplingParams(temperature, topK, topP, seed);
        return (new GenerateBody(promptElement.GetString()!, maxTokens, stream, sampling, returnIds), null);
    }

    private static (GenerateBody?, BadRequest?) Fail(string field, string message) => (null, new BadRequest(field, message));

    private static BadRequest? ReadInt(JsonElement root, string name, int fallback, out int value)
    {
        value = fallback;
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out value)) return null;
        return new BadRequest(name, $"{name} must be an integer, got {Describe(e)}");
    }

    private static BadRequest? ReadNullableInt(JsonElement root, string name, out int? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v))
        {
            value = v;
            return null;
        }
        return new BadRequest(name, $"{name} must be an integer, got {Describe(e)}");
    }

    private static BadRequest? ReadBool(JsonElement root, string name, bool fallback, out bool value)
    {
        value = fallback;
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            value = e.GetBoolean();
            return null;
        }
        return new BadRequest(name, $"{name} must be true or false, got {Describe(e)}");
    }

    private static BadRequest? ReadFloat(JsonElement root, string name, float fallback, out float value)
    {
        value = fallback;
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetSingle(out value) && float.IsFinite(value)) return null;
        return new BadRequest(name, $"{name} must be a number, got {Describe(e)}");
    }

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Truncate(e.GetString()!)}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {e.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
