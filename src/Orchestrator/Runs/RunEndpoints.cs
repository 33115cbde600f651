using Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Orchestrator.Hosting;

namespace Orchestrator.Runs;

public static class RunEndpoints
{
    private static readonly string[] Statuses = [RunStatuses.Queued, RunStatuses.Running, RunStatuses.Succeeded, RunStatuses.Failed, RunStatuses.Cancelled];

    public static IEndpointRouteBuilder MapRuns(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/runs").RequireAuthorization(AuthExtensions.UserPolicy).WithTags("Runs");
        runs.MapGet("", ListAsync);
        runs.MapGet("/{id:guid}", GetAsync).ScopedByRun();
        runs.MapPost("/{id:guid}/cancel", CancelAsync).Needs(AuthExtensions.OperatorPolicy).ScopedByRun();
        runs.MapPost("/{id:guid}/retry", RetryAsync).Needs(AuthExtensions.OperatorPolicy).ScopedByRun();
        runs.MapPost("/{id:guid}/approve", ApproveAsync).Needs(AuthExtensions.OperatorPolicy).ScopedByRun();
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<RunDto>>, ValidationProblem>> ListAsync(
        RunStore store, System.Security.Claims.ClaimsPrincipal user, string? environment, string? status, int? limit, CancellationToken cancellationToken)
    {
        if (status is not null && !Statuses.Contains(status)) return Problems.Invalid("status", $"Must be one of: {string.Join(", ", Statuses)}.");
        if (limit is < 1 or > 1000) return Problems.Invalid("limit", "Must be between 1 and 1000.");
        var visible = EnvironmentScope.Visible(user, environment);
        if (visible is []) return TypedResults.Ok<IReadOnlyList<RunDto>>([]);
        return TypedResults.Ok(await store.ListAsync(visible, status, limit ?? 50, cancellationToken));
    }

    private static async Task<Results<Ok<RunDto>, ProblemHttpResult>> GetAsync(Guid id, RunStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } run ? TypedResults.Ok(run) : Problems.NotFound($"Run {id} does not exist.");

    private static async Task<Results<Accepted<RunDto>, ProblemHttpResult>> CancelAsync(
        Guid id, System.Security.Claims.ClaimsPrincipal user, RunCommands commands, CancellationToken cancellationToken) =>
        Answer(id, await commands.CancelAsync(id, Caller.Actor(user), cancellationToken), "The run cannot be cancelled");

    private static async Task<Results<Accepted<RunDto>, ProblemHttpResult>> RetryAsync(
        Guid id, System.Security.Claims.ClaimsPrincipal user, RunCommands commands, CancellationToken cancellationToken) =>
        Answer(id, await commands.RetryAsync(id, Caller.Actor(user), cancellationToken), "The run cannot be retried");

    private static async Task<Results<Accepted<RunDto>, ProblemHttpResult>> ApproveAsync(
        Guid id, System.Security.Claims.ClaimsPrincipal user, CanaryCommands commands, CancellationToken cancellationToken) =>
        Answer(id, await commands.ApproveAsync(id, Caller.Actor(user), cancellationToken), "The run cannot be approved");

    internal static Results<Accepted<RunDto>, ProblemHttpResult> Answer(Guid id, RunCommandResult result, string conflictTitle)
    {
        if (result.NotFound) return Problems.NotFound($"Run {id} does not exist.");
        if (result.Conflict is { } detail) return Problems.Conflict(detail, conflictTitle);
        return TypedResults.Accepted($"/api/runs/{id}", result.Run!);
    }
}
