using System.Security.Claims;
using Contracts;
using Contracts.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Orchestrator.Hosting;
using Orchestrator.Rollouts;
using Orchestrator.Limits;

namespace Orchestrator.Dispatch;

/// <summary>The runner protocol's per-step calls; each is fenced by the lease token (409 when stale).</summary>
public static class StepEndpoints
{
    private static readonly string[] Outcomes = StepOutcomes.All;

    public static IEndpointRouteBuilder MapStepProtocol(this IEndpointRouteBuilder app)
    {
        var steps = app.MapGroup("/api/steps/{id:guid}").RequireAuthorization(AuthExtensions.RunnerPolicy).WithBodyLimit(BodyKind.Runner).WithTags("Runner protocol");
        steps.MapPost("/heartbeat", HeartbeatAsync).Accepts<HeartbeatRequest>("application/json");
        steps.MapPost("/logs", AppendLogsAsync).Accepts<AppendLogsRequest>("application/json");
        steps.MapPost("/complete", CompleteAsync).Accepts<CompleteStepRequest>("application/json");
        steps.MapPost("/release", ReleaseAsync).Accepts<ReleaseStepRequest>("application/json");
        return app;
    }

    private static async Task<Results<Ok<HeartbeatResponse>, ValidationProblem, ProblemHttpResult>> HeartbeatAsync(
        Guid id, HttpRequest request, StepReports reports, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<HeartbeatRequest>(request, ContractJson.Options, cancellationToken);
        if (Reject(body, request) is { } rejected) return rejected.Problem is { } p ? p : rejected.Invalid!;
        if (body.Value!.Progress?.Problem() is { } wrong) return Problems.Invalid("progress", wrong + ".");
        return await reports.HeartbeatAsync(id, body.Value!, cancellationToken) is { } response ? TypedResults.Ok(response) : Problems.StaleLease();
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AppendLogsAsync(
        Guid id, HttpRequest request, StepReports reports, CancellationToken cancellationToken)
    {
        // A NUL in a line is dropped where the lines are stored: a step's output is never refused for it.
        var body = await JsonBody.ReadAsync<AppendLogsRequest>(request, ContractJson.Options, cancellationToken, refuseNul: false);
        if (Reject(body, request) is { } rejected) return rejected.Problem is { } p ? p : rejected.Invalid!;
        if (body.Value!.Lines is null || body.Value.Lines.Any(l => l is null)) return Problems.Invalid("lines", "Must be a list of lines.");
        return await reports.AppendLogsAsync(id, body.Value, cancellationToken) ? TypedResults.NoContent() : Problems.StaleLease();
    }

    private static async Task<Results<Ok<StepClaim>, NoContent, ValidationProblem, ProblemHttpResult>> CompleteAsync(
        Guid id, HttpRequest request, ClaimsPrincipal user, StepReports reports, StepClaimer claimer, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CompleteStepRequest>(request, ContractJson.Options, cancellationToken);
        if (Reject(body, request) is { } rejected) return rejected.Problem is { } p ? p : rejected.Invalid!;
        if (!Outcomes.Contains(body.Value!.Outcome)) return Problems.Invalid("outcome", $"Must be one of: {string.Join(", ", Outcomes)}.");
        var runnerId = Caller.RunnerId(user);
        // Asking for the next step counts as the runner being seen, as a claim does; a removed runner gets none.
        var nextFor = body.Value.ClaimNext && await claimer.TouchRunnerAsync(runnerId, cancellationToken)
            ? (runnerId, Caller.RunnerLabels(user))
            : ((Guid, string[])?)null;
        var completion = await reports.CompleteAsync(id, body.Value, nextFor, cancellationToken);
        if (!completion.Held) return Problems.StaleLease();
        return completion.Next is { } next ? TypedResults.Ok(next) : TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ReleaseAsync(
        Guid id, HttpRequest request, StepReports reports, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<ReleaseStepRequest>(request, ContractJson.Options, cancellationToken);
        if (Reject(body, request) is { } rejected) return rejected.Problem is { } p ? p : rejected.Invalid!;
        return await reports.ReleaseAsync(id, body.Value!, cancellationToken) ? TypedResults.NoContent() : Problems.StaleLease();
    }

    private static (ProblemHttpResult? Problem, ValidationProblem? Invalid)? Reject<T>(JsonBodyResult<T> body, HttpRequest request) where T : class
    {
        if (body.IsTooLarge) return (Problems.TooLarge(request), null);
        if (body.Errors is { } errors) return (null, Problems.Invalid(errors));
        return null;
    }
}
