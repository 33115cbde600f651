using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Orchestrator.Limits;

/// <summary>The 429 answers of the rate and follower limits.</summary>
public static class LimitProblems
{
    public static ValueTask RateExceededAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        TimeSpan? retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : null;
        return WriteAsync(context.HttpContext, "Too many requests",
            "This caller sent more requests than Limits:Rates allows in one window; wait for the time in Retry-After.", retryAfter ?? TimeSpan.FromSeconds(1));
    }

    public static async ValueTask WriteAsync(HttpContext context, string title, string detail, TimeSpan? retryAfter)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (retryAfter is { } wait)
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status429TooManyRequests, title: title).ExecuteAsync(context);
    }
}
