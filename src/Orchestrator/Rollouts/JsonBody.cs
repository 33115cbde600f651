using System.Text.Json;

namespace Orchestrator.Rollouts;

/// <summary>
/// Reads a request body ourselves rather than through minimal-API binding, so that an oversize body is a 413 and a
/// type error names its field (<c>engine.batchSize</c>) instead of a bare 400.
/// </summary>
public static class JsonBody
{
    /// <param name="refuseNul">False for a body whose strings the endpoint cleans of NUL itself (log lines).</param>
    public static async Task<JsonBodyResult<T>> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options, CancellationToken cancellationToken, bool refuseNul = true)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        // The limit itself is Kestrel's, set per endpoint by RequestBodyLimits; this only avoids reading a body known too large.
        var maxBytes = Orchestrator.Limits.BodyLimit.Of(request.HttpContext).Bytes;
        if (request.ContentLength > maxBytes) return JsonBodyResult<T>.TooLarge();

        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return JsonBodyResult<T>.TooLarge();
        }
        if (buffer.Length > maxBytes) return JsonBodyResult<T>.TooLarge();
        if (buffer.Length == 0) return JsonBodyResult<T>.Invalid("$", "A JSON body is required.");
        try
        {
            // System.Text.Json throws outside JsonException on some invalid UTF-8 inside strings: refused whole, first.
            if (!System.Text.Unicode.Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
                return JsonBodyResult<T>.Invalid("$", "The body is not valid UTF-8.");
            // PostgreSQL stores no NUL character, in text or in jsonb: refused here by field rather than failing there.
            if (refuseNul && JsonNul.Find(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is { } nulAt)
                return JsonBodyResult<T>.Invalid(nulAt, "Must not contain the NUL character (\\u0000).");
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), options);
            return value is null ? JsonBodyResult<T>.Invalid("$", "The body must be a JSON object, not null.") : JsonBodyResult<T>.Ok(value);
        }
        catch (JsonException ex)
        {
            return JsonBodyResult<T>.Invalid(ex.Path ?? "$", Describe(ex));
        }
    }

    /// <summary>Field path as the API reports it: <c>$.engine.batchSize</c> becomes <c>engine.batchSize</c>.</summary>
    public static string FieldPath(string jsonPath) =>
        jsonPath is "$" or "" ? "$" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');

    private static string Describe(JsonException ex)
    {
        // System.Text.Json's messages name CLR types; keep the first sentence, which states the problem.
        var message = ex.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal)) return "Unknown field.";
        var type = message.IndexOf("could not be converted to ", StringComparison.Ordinal);
        if (type > 0)
        {
            var clr = message[type..];
            var wanted = clr.Contains("List", StringComparison.Ordinal) ? "a list"
                : clr.Contains("System.Int", StringComparison.Ordinal) ? "an integer"
                : clr.Contains("System.Boolean", StringComparison.Ordinal) ? "true or false"
                : clr.Contains("System.String", StringComparison.Ordinal) ? "a string"
                : clr.Contains("System.Double", StringComparison.Ordinal) ? "a number"
                : clr.Contains("System.Guid", StringComparison.Ordinal) ? "a UUID"
                : clr.Contains("DateTimeOffset", StringComparison.Ordinal) ? "an ISO 8601 time"
                : "an object";
            return $"Wrong type: expected {wanted}.";
        }
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
