using System.Security.Claims;

namespace Orchestrator.Auth;

/// <summary><c>GET /api/whoami</c>: the name and kind of the token the request carries (never the token), so that a
/// client can say whom it is signed in as.</summary>
public static class WhoAmIEndpoint
{
    public sealed record WhoAmI(string Name, string Kind, Guid TokenId);

    public static IEndpointRouteBuilder MapWhoAmI(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/whoami", (ClaimsPrincipal user) => TypedResults.Ok(new WhoAmI(
                user.FindFirstValue(ClaimTypes.Name) ?? "", user.FindFirstValue(BearerAuthenticationHandler.KindClaim) ?? "", Caller.TokenId(user))))
            .RequireAuthorization(AuthExtensions.UserPolicy).WithTags("Auth");
        return app;
    }
}
