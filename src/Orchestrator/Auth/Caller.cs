using System.Security.Claims;

namespace Orchestrator.Auth;

/// <summary>Reads who is calling from the principal the bearer handler built.</summary>
public static class Caller
{
    public static string Actor(ClaimsPrincipal user) =>
        $"{user.FindFirstValue(BearerAuthenticationHandler.KindClaim)}:{user.FindFirstValue(ClaimTypes.Name)}";

    public static Guid RunnerId(ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(BearerAuthenticationHandler.RunnerIdClaim) ?? throw new InvalidOperationException("Not a runner principal."));

    /// <summary>The labels the runner registered with, as read when its token was looked up.</summary>
    public static string[] RunnerLabels(ClaimsPrincipal user) =>
        user.FindAll(BearerAuthenticationHandler.LabelClaim).Select(c => c.Value).ToArray();

    public static Guid TokenId(ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(BearerAuthenticationHandler.TokenIdClaim) ?? throw new InvalidOperationException("Not an authenticated principal."));
}
