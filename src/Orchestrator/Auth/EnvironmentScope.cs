using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Orchestrator.Auth;

/// <summary>The environments a user token is limited to (<c>tokens create --environments a,b</c>); an unlimited token
/// may act on every environment.</summary>
public static class EnvironmentScope
{
    /// <summary>The environments the caller is limited to, or null when it is not limited.</summary>
    public static string[]? Of(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.HasClaim(c => c.Type == TokenClaims.Scoped)
            ? user.FindAll(TokenClaims.Environment).Select(c => c.Value).ToArray()
            : null;
    }

    public static bool Allows(ClaimsPrincipal user, string environment) =>
        Of(user) is not { } limited || limited.Contains(environment, StringComparer.Ordinal);

    public static ProblemHttpResult Forbidden(ClaimsPrincipal user, string environment) =>
        TypedResults.Problem(
            detail: $"The token '{user.FindFirstValue(ClaimTypes.Name)}' is limited to the environments {string.Join(", ", Of(user) ?? [])}; this is '{environment}'.",
            statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            extensions: new Dictionary<string, object?> { ["environment"] = environment });

    /// <summary>For a list: null when the caller may see every environment's rows; the ones it may see otherwise. A
    /// filter the caller asked for narrows that further.</summary>
    public static string[]? Visible(ClaimsPrincipal user, string? requested)
    {
        var limited = Of(user);
        if (requested is null) return limited;
        return limited is null || limited.Contains(requested, StringComparer.Ordinal) ? [requested] : [];
    }
}
