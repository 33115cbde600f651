namespace Orchestrator.Hosting;

/// <summary>
/// Refuses a request whose path or query string holds a control character (U+0000 to U+001F, U+007F), decoded, before
/// any endpoint sees it: no name, token, status or filter of this API contains one, and PostgreSQL refuses NUL in text,
/// which would otherwise answer 500. The 400 is problem+json naming the part (<c>path</c>, or the query parameter).
/// </summary>
public static class ControlCharacterGuard
{
    public static IApplicationBuilder UseControlCharacterGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Offending(context.Request) is { } field)
        {
            await Problems.Invalid(field, "Must not contain control characters.").ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>The first part of the request that holds a control character: <c>path</c> or a query parameter's name.</summary>
    public static string? Offending(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (HasControl(request.Path.Value)) return "path";
        foreach (var (key, values) in request.Query)
        {
            if (HasControl(key)) return "query";
            if (values.Any(HasControl)) return key;
        }

        return null;
    }

    public static bool HasControl(string? text) => text is not null && text.AsSpan().ContainsAnyInRange('\u0000', '\u001f') || text?.Contains('\u007f', StringComparison.Ordinal) == true;
}
