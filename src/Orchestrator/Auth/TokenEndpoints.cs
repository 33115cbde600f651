using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;
using Orchestrator.Rollouts;

namespace Orchestrator.Auth;

/// <summary>A request for a new token: <c>kind</c> user (with a role) or registration (for a runner).</summary>
public sealed record CreateTokenRequest
{
    public string? Name { get; init; }

    /// <summary><c>user</c> (the default) or <c>registration</c>.</summary>
    public string? Kind { get; init; }

    /// <summary>A user token's role: viewer, operator or admin.</summary>
    public string? Role { get; init; }

    /// <summary>Limits a user token to these environments; absent: every environment.</summary>
    public string[]? Environments { get; init; }

    /// <summary>How long the token lasts, e.g. <c>30d</c>, <c>12h</c>, <c>90m</c>; absent: until revoked.</summary>
    public string? ExpiresIn { get; init; }
}

public sealed record CreatedTokenDto(TokenDto Token, string Value);

/// <summary><c>/api/tokens</c>: issue (the value is shown once), list and revoke tokens; admins not limited to environments.</summary>
public static class TokenEndpoints
{
    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/tokens").RequireAuthorization(AuthExtensions.GlobalAdminPolicy).WithTags("Auth");
        tokens.MapPost("", CreateAsync).Accepts<CreateTokenRequest>("application/json");
        tokens.MapGet("", async (bool? all, TokenAdministration administration, CancellationToken cancellationToken) =>
            TypedResults.Ok(await administration.ListAsync(all ?? false, cancellationToken)));
        tokens.MapDelete("/{id:guid}", RevokeAsync);
        return app;
    }

    private static async Task<Results<Created<CreatedTokenDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpRequest request, ClaimsPrincipal user, TokenStore store, TokenAdministration administration, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateTokenRequest>(request, SpecJson.Strict, cancellationToken);
        if (body.IsTooLarge) return Problems.TooLarge(request);
        if (body.Errors is { } errors) return Problems.Invalid(errors);
        var grant = TokenGrantValidator.Validate(body.Value!, Caller.Actor(user), time.GetUtcNow(), out var invalid);
        if (grant is null) return Problems.Invalid(invalid);
        var issued = await store.CreateAsync(grant, cancellationToken);
        var shown = await administration.GetAsync(issued.Id, cancellationToken);
        return TypedResults.Created($"/api/tokens/{issued.Id}", new CreatedTokenDto(shown!, issued.Token));
    }

    private static async Task<Results<Ok<TokenDto>, ProblemHttpResult>> RevokeAsync(Guid id, TokenAdministration administration, CancellationToken cancellationToken) =>
        await administration.RevokeAsync(id, cancellationToken) is { } revoked
            ? TypedResults.Ok(revoked)
            : Problems.NotFound($"There is no user or registration token {id} (runner tokens go with their runner: DELETE /api/runners/{{id}}).");
}
