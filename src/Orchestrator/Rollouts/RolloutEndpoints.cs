using System.Security.Claims;
using Contracts;
using Contracts.Specs;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Orchestrator.Costs;
using Orchestrator.Hosting;
using Orchestrator.Runs;
using Orchestrator.Windows;

namespace Orchestrator.Rollouts;

public static class RolloutEndpoints
{
    public static IEndpointRouteBuilder MapRollouts(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization(AuthExtensions.UserPolicy).WithTags("Rollouts");
        api.MapPost("/rollouts", CreateAsync).Needs(AuthExtensions.OperatorPolicy).Accepts<RolloutSpec>("application/json");
        api.MapPost("/plan", PlanAsync).WithMetadata(Audit.NotAuditedMetadata.Instance).Accepts<RolloutSpec>("application/json");
        return app;
    }

    private static async Task<Results<Accepted<RunDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpRequest request, ClaimsPrincipal user, RolloutService rollouts, bool? supersede, bool? urgent, CancellationToken cancellationToken)
    {
        var read = await ReadSpecAsync(request, cancellationToken);
        if (read.Problem is { } problem) return problem;
        if (read.Invalid is { } invalid) return invalid;
        Audit.AuditTrail.SetEnvironment(request.HttpContext, read.Spec!.Environment);
        if (!EnvironmentScope.Allows(user, read.Spec!.Environment)) return EnvironmentScope.Forbidden(user, read.Spec!.Environment);
        var trigger = new TriggerDto { Kind = "api", Actor = user.FindFirstValue(ClaimTypes.Name) };
        var result = await rollouts.CreateAsync(read.Spec!, trigger, supersede ?? false, plan: null, urgent ?? false, cancellationToken);
        if (result.NotFound) return Problems.NotFound($"Environment '{read.Spec!.Environment}' does not exist (create it with PUT /api/environments/{{name}}).");
        if (result.Invalid is { } errors) return Problems.Invalid(errors);
        return TypedResults.Accepted($"/api/runs/{result.Run!.Id}", result.Run);
    }

    private static async Task<Results<Ok<PlanResponse>, ValidationProblem, ProblemHttpResult>> PlanAsync(
        HttpRequest request, ClaimsPrincipal user, RolloutService rollouts, CostEstimator costs, bool? urgent, CancellationToken cancellationToken)
    {
        var read = await ReadSpecAsync(request, cancellationToken);
        if (read.Problem is { } problem) return problem;
        if (read.Invalid is { } invalid) return invalid;
        if (!EnvironmentScope.Allows(user, read.Spec!.Environment)) return EnvironmentScope.Forbidden(user, read.Spec!.Environment);
        var preview = await rollouts.PreviewAsync(read.Spec!, urgent ?? false, cancellationToken);
        if (preview is null) return Problems.NotFound($"Environment '{read.Spec!.Environment}' does not exist.");
        if (preview.Errors is { } errors) return Problems.Invalid(errors);
        var cost = costs.Estimate(read.Spec!);
        return TypedResults.Ok(new PlanResponse(preview.Environment, preview.Revision, preview.Steps,
            preview.Wait?.Opening?.At, preview.Wait?.Opening?.TimeZone, preview.Wait is null ? null : WindowWait.Reason,
            cost, [.. CostEstimator.Warnings(cost), .. AutoscalingPlan.Warnings(read.Spec!)], AutoscalingPlan.From(read.Spec!)));
    }

    private static async Task<SpecRead> ReadSpecAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<RolloutSpec>(request, SpecJson.Strict, cancellationToken);
        if (body.IsTooLarge) return new SpecRead(null, Problems.TooLarge(request), null);
        if (body.Errors is { } errors) return new SpecRead(null, null, Problems.Invalid(errors));
        var semantic = SpecValidator.Validate(body.Value!);
        return semantic.IsEmpty ? new SpecRead(body.Value, null, null) : new SpecRead(null, null, Problems.Invalid(semantic));
    }

    private sealed record SpecRead(RolloutSpec? Spec, ProblemHttpResult? Problem, ValidationProblem? Invalid);
}
