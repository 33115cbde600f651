using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Orchestrator.Hosting;

namespace Orchestrator.Limits;

/// <summary>
/// Sets each request's body limit from its endpoint's <see cref="BodyKind"/> before anything reads the body. A declared
/// Content-Length past it is answered here, without reading a byte; a chunked body past it makes Kestrel's reader throw
/// 413 mid-read, which the endpoints turn into the same problem (<see cref="Problems.TooLarge"/>).
/// </summary>
public static class RequestBodyLimits
{
    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ApplicationServices.GetRequiredService<IOptions<BodyLimitOptions>>().Value;
        return app.Use(async (context, next) =>
        {
            var kind = context.GetEndpoint()?.Metadata.GetMetadata<BodyKindMetadata>()?.Kind ?? BodyKind.Default;
            var limit = options.For(kind);
            context.Features.Set(limit);
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit.Bytes;
            if (context.Request.ContentLength > limit.Bytes)
            {
                // The unread body would be drained before the next request; a client that sends it anyway gets the
                // answer first, and the connection is not kept for a body nobody wants.
                context.Response.Headers.Connection = "close";
                await Problems.TooLarge(context.Request).ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }
}
