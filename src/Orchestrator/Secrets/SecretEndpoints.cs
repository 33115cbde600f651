using System.Security.Claims;
using Contracts.Specs;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Orchestrator.Hosting;
using Orchestrator.Rollouts;

namespace Orchestrator.Secrets;

/// <summary><c>/api/secrets</c>: set, list and delete stored secrets. No answer ever carries a value.</summary>
public static class SecretEndpoints
{
    /// <summary>The longest value accepted (a token, a key, a certificate in PEM fits).</summary>
    public const int MaxValueLength = 64 * 1024;

    public static IEndpointRouteBuilder MapSecrets(this IEndpointRouteBuilder app)
    {
        // Secrets belong to no one environment: admins whose token is not limited to environments.
        var api = app.MapGroup("/api/secrets").RequireAuthorization(AuthExtensions.GlobalAdminPolicy).WithTags("Secrets");
        api.MapGet("", async (SecretStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)));
        api.MapPut("/{name}", PutAsync).Accepts<PutSecretRequest>("application/json");
        api.MapDelete("/{name}", DeleteAsync);
        return app;
    }

    private static async Task<Results<Created<SecretDto>, Ok<SecretDto>, ValidationProblem, ProblemHttpResult>> PutAsync(
        string name, HttpRequest request, ClaimsPrincipal user, SecretStore store, CancellationToken cancellationToken)
    {
        if (!SecretReference.IsValidName(name)) return Problems.Invalid("name", $"Must be {SecretReference.NameRule}.");
        var body = await JsonBody.ReadAsync<PutSecretRequest>(request, SpecJson.Strict, cancellationToken);
        if (body.IsTooLarge) return Problems.TooLarge(request);
        if (body.Errors is { } errors) return Problems.Invalid(errors);
        var value = body.Value!.Value;
        if (string.IsNullOrEmpty(value)) return Problems.Invalid("value", "Required: the secret's value, not empty.");
        if (string.IsNullOrWhiteSpace(value)) return Problems.Invalid("value", "Must not be only white space.");
        if (value.Length > MaxValueLength) return Problems.Invalid("value", $"At most {MaxValueLength} characters.");
        var (secret, created) = await store.SetAsync(name, value, user.FindFirstValue(ClaimTypes.Name) ?? Caller.Actor(user), cancellationToken);
        return created ? TypedResults.Created($"/api/secrets/{name}", secret) : TypedResults.Ok(secret);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(string name, SecretStore store, CancellationToken cancellationToken)
    {
        if (!SecretReference.IsValidName(name)) return Problems.Invalid("name", $"Must be {SecretReference.NameRule}.");
        var deletion = await store.DeleteAsync(name, cancellationToken);
        if (deletion.Deleted) return TypedResults.NoContent();
        if (deletion.Users.Count == 0) return Problems.NotFound($"No secret '{name}' is stored.");
        return Problems.Conflict(
            $"{SecretReference.For(name)} is still referred to by: {string.Join(", ", deletion.Users)}. Change or delete those first.",
            title: "The secret is in use");
    }
}
