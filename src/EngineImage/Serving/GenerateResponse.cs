using System.Text.Json.Serialization;

namespace EngineImage.Serving;

/// <summary>jetstream-http's non-streaming answer, <c>{"response": "&lt;text&gt;"}</c>; <c>token_ids</c> only when asked for.</summary>
public sealed record GenerateResponse(
    [property: JsonPropertyName("response")] string Response,
    [property: JsonPropertyName("token_ids"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? TokenIds);
