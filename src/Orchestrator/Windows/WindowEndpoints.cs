using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Orchestrator.Hosting;
using Orchestrator.Rollouts;

namespace Orchestrator.Windows;

/// <summary><c>GET/PUT/DELETE /api/environments/{name}/windows</c>: an environment's maintenance windows. PUT replaces
/// the list; DELETE clears it (the environment is always open again).</summary>
public static class WindowEndpoints
{
    public static IEndpointRouteBuilder MapWindows(this IEndpointRouteBuilder app)
    {
        var windows = app.MapGroup("/api/environments/{name}/windows").RequireAuthorization(AuthExtensions.UserPolicy).ScopedByEnvironmentName().WithTags("Environments");
        windows.MapGet("", GetAsync);
        windows.MapPut("", PutAsync).Needs(AuthExtensions.AdminPolicy).Accepts<PutWindowsRequest>("application/json");
        windows.MapDelete("", DeleteAsync).Needs(AuthExtensions.AdminPolicy);
        return app;
    }

    private static async Task<Results<Ok<WindowsDto>, ProblemHttpResult>> GetAsync(string name, WindowStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(name, cancellationToken) is { } windows ? TypedResults.Ok(windows) : Missing(name);

    private static async Task<Results<Ok<WindowsDto>, ValidationProblem, ProblemHttpResult>> PutAsync(
        string name, HttpRequest request, WindowStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<PutWindowsRequest>(request, SpecJson.Strict, cancellationToken);
        if (body.IsTooLarge) return Problems.TooLarge(request);
        if (body.Errors is { } errors) return Problems.Invalid(errors);
        var invalid = new ValidationErrors();
        var rows = WindowValidator.Validate(body.Value!, time.GetUtcNow(), invalid);
        if (rows is null) return Problems.Invalid(invalid);
        return await store.ReplaceAsync(name, rows, cancellationToken) is { } windows ? TypedResults.Ok(windows) : Missing(name);
    }

    private static async Task<Results<Ok<WindowsDto>, ProblemHttpResult>> DeleteAsync(string name, WindowStore store, CancellationToken cancellationToken) =>
        await store.ReplaceAsync(name, [], cancellationToken) is { } windows ? TypedResults.Ok(windows) : Missing(name);

    private static ProblemHttpResult Missing(string name) => Problems.NotFound($"Environment '{name}' does not exist.");
}
