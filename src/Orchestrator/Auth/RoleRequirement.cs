using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Orchestrator.Auth;

/// <summary>A user token whose role includes <see cref="Role"/>.</summary>
public sealed record RoleRequirement(string Role) : IAuthorizationRequirement;

/// <summary>A user token not limited to environments: for what belongs to no one environment (tokens, runners, secrets,
/// webhook bindings, the audit trail).</summary>
public sealed record UnscopedRequirement : IAuthorizationRequirement;

public sealed class RoleRequirementHandler : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.User;
        var isUser = user.FindFirstValue(TokenClaims.Kind) == TokenKinds.User;
        foreach (var requirement in context.PendingRequirements.ToList())
        {
            var met = requirement switch
            {
                RoleRequirement role => isUser && Roles.Satisfies(user.FindFirstValue(TokenClaims.Role), role.Role),
                UnscopedRequirement => isUser && !user.HasClaim(c => c.Type == TokenClaims.Scoped),
                _ => (bool?)null,
            };
            if (met == true) context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
