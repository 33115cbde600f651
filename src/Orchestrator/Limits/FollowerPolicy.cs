using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Orchestrator.Runs;

namespace Orchestrator.Limits;

/// <summary>
/// One concurrency permit per log follower, held by the rate-limiting middleware until the stream's request ends, so
/// a follower that disconnects frees its slot at once. A plain (non-following) read of the same endpoint takes none.
/// </summary>
public sealed class FollowerPolicy(IOptions<FollowerLimitOptions> options) : IRateLimiterPolicy<string>
{
    public const string Name = "log-followers";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = (context, _) =>
        LimitProblems.WriteAsync(context.HttpContext, "Too many log followers",
            $"This instance already streams logs to {options.Value.MaxConcurrent} followers (Limits:Followers:MaxConcurrent); " +
            "read without following, or try again when a follower disconnects.", retryAfter: null);

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        LogEndpoints.IsFollow(httpContext.Request)
            ? RateLimitPartition.GetConcurrencyLimiter(Name, _ => new ConcurrencyLimiterOptions { PermitLimit = options.Value.MaxConcurrent, QueueLimit = 0 })
            : RateLimitPartition.GetNoLimiter(string.Empty);
}
