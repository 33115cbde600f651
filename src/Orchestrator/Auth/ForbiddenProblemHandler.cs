using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Orchestrator.Auth;

/// <summary>A 403 that says what is missing: the role the endpoint needs and the one the token has, or a token not
/// limited to environments. Every other outcome is the framework's own.</summary>
public sealed class ForbiddenProblemHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        var failed = authorizeResult.AuthorizationFailure?.FailedRequirements.ToList() ?? [];
        if (!authorizeResult.Forbidden || context.User.FindFirstValue(TokenClaims.Kind) != TokenKinds.User || failed.Count == 0)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        var name = context.User.FindFirstValue(ClaimTypes.Name);
        var held = context.User.FindFirstValue(TokenClaims.Role);
        var needed = failed.OfType<RoleRequirement>().MaxBy(r => Array.IndexOf(Roles.All, r.Role));
        var detail = needed is not null
            ? $"This needs the '{needed.Role}' role; the token '{name}' has the '{held}' role."
            : $"This needs a token not limited to environments; the token '{name}' is limited to: {string.Join(", ", EnvironmentScope.Of(context.User) ?? [])}.";
        var extensions = needed is null
            ? new Dictionary<string, object?>()
            : new Dictionary<string, object?> { ["requiredRole"] = needed.Role, ["role"] = held };
        await TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", extensions: extensions).ExecuteAsync(context);
    }
}
