namespace Orchestrator.Limits;

/// <summary>The body limit a request is held to, and the setting that sets it (named in the 413).</summary>
public sealed record BodyLimit(string Setting, long Bytes)
{
    /// <summary>The limit <see cref="RequestBodyLimits"/> set for this request; Kestrel's own where it did not run.</summary>
    public static BodyLimit Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<BodyLimit>()
            ?? new BodyLimit("Kestrel:Limits:MaxRequestBodySize", context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? long.MaxValue);
    }
}
