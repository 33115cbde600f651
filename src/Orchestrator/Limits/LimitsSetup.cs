using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Orchestrator.Limits;

public static class LimitsSetup
{
    /// <summary>Body, rate and follower limits, each bound from <c>Limits:*</c> and refused at start-up by name when invalid.</summary>
    public static IServiceCollection AddLimits(this IServiceCollection services)
    {
        services.AddOptions<BodyLimitOptions>().BindConfiguration(BodyLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FollowerLimitOptions>().BindConfiguration(FollowerLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>, IOptions<FollowerLimitOptions>>((o, rates, followers) =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = LimitProblems.RateExceededAsync;
            o.GlobalLimiter = System.Threading.RateLimiting.PartitionedRateLimiter.Create<HttpContext, string>(context => CallerPartition.For(context, rates.Value));
            o.AddPolicy(FollowerPolicy.Name, new FollowerPolicy(followers));
        });
        return services;
    }
}
