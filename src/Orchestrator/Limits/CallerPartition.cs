using System.Security.Claims;
using System.Threading.RateLimiting;
using Orchestrator.Auth;

namespace Orchestrator.Limits;

/// <summary>
/// Which rate window a request counts against. Runs after authentication, so a dashboard request signed in with the
/// cookie carries its token's id like a bearer request does: a session is limited as its user, not as its address
/// (several people behind one proxy share an address).
/// </summary>
public static class CallerPartition
{
    public static RateLimitPartition<string> For(HttpContext context, RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true && user.FindFirstValue(TokenClaims.TokenId) is { } tokenId)
        {
            var runner = user.FindFirstValue(TokenClaims.Kind) is TokenKinds.Runner or TokenKinds.Registration;
            return runner ? Window($"runner:{tokenId}", options.Runners) : Window($"token:{tokenId}", options.Users);
        }

        return Window($"address:{context.Connection.RemoteIpAddress}", options.Anonymous);
    }

    private static RateLimitPartition<string> Window(string key, RateWindow window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = window.PermitLimit,
            Window = window.Window,
            QueueLimit = window.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
}
