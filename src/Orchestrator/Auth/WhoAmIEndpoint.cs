using System.Security.Claims;

namespace Orchestrator.Auth;

/// <summary><c>GET /api/whoami</c>: the name, kind, role and environments of the token the request carries (never the
/// token), so that a client can say whom it is signed in as and what it may do.</summary>
public static class WhoAmIEndpoint
{
    public sealed record WhoAmI(string Name, string Kind, Guid TokenId, string? Role, string[]? Environments);

    public static IEndpointRouteBuilder MapWhoAmI(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/whoami", (ClaimsPrincipal user) => TypedResults.Ok(new WhoAmI(
                user.FindFirstValue(ClaimTypes.Name) ?? "", user.FindFirstValue(TokenClaims.Kind) ?? "", Caller.TokenId(user),
                user.FindFirstValue(TokenClaims.Role), EnvironmentScope.Of(user))))
            .RequireAuthorization(AuthExtensions.UserPolicy).WithTags("Auth");
        return app;
    }
}
