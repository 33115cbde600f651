using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Orchestrator.Hosting;

namespace Orchestrator.Runs;

/// <summary><c>POST /api/environments/{name}/promote[?full=true]</c> and <c>/abort</c>: decide the environment's paused
/// canary. 409 names where the run stands when it is not paused.</summary>
public static class CanaryEndpoints
{
    public static IEndpointRouteBuilder MapCanaryDecisions(this IEndpointRouteBuilder app)
    {
        var environments = app.MapGroup("/api/environments").RequireAuthorization(AuthExtensions.OperatorPolicy).ScopedByEnvironmentName().WithTags("Environments");
        environments.MapPost("/{name}/promote", PromoteAsync);
        environments.MapPost("/{name}/abort", AbortAsync);
        return app;
    }

    private static async Task<Results<Accepted<RunDto>, ProblemHttpResult>> PromoteAsync(
        string name, bool? full, System.Security.Claims.ClaimsPrincipal user, CanaryCommands commands, CancellationToken cancellationToken) =>
        Answer(name, await commands.PromoteAsync(name, full ?? false, Caller.Actor(user), cancellationToken), "The canary cannot be promoted");

    private static async Task<Results<Accepted<RunDto>, ProblemHttpResult>> AbortAsync(
        string name, System.Security.Claims.ClaimsPrincipal user, CanaryCommands commands, CancellationToken cancellationToken) =>
        Answer(name, await commands.AbortAsync(name, Caller.Actor(user), cancellationToken), "The canary cannot be aborted");

    private static Results<Accepted<RunDto>, ProblemHttpResult> Answer(string environment, RunCommandResult result, string conflictTitle)
    {
        if (result.NotFound) return Problems.NotFound($"Environment '{environment}' does not exist.");
        if (result.Conflict is { } detail) return Problems.Conflict(detail, conflictTitle);
        return TypedResults.Accepted($"/api/runs/{result.Run!.Id}", result.Run);
    }
}
