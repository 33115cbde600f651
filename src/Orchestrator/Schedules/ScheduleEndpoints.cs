using System.Security.Claims;
using Contracts.Specs;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Orchestrator.Hosting;
using Orchestrator.Rollouts;

namespace Orchestrator.Schedules;

public static class ScheduleEndpoints
{
    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        var schedules = app.MapGroup("/api/schedules").RequireAuthorization(AuthExtensions.UserPolicy).ScopedBySchedule().WithTags("Schedules");
        schedules.MapPost("", CreateAsync).Needs(AuthExtensions.AdminPolicy).Accepts<ScheduleRequest>("application/json");
        schedules.MapGet("", async (string? environment, ClaimsPrincipal user, ScheduleService service, CancellationToken cancellationToken) =>
            TypedResults.Ok((await service.ListAsync(environment, cancellationToken)).Where(s => EnvironmentScope.Allows(user, s.Environment)).ToList()));
        schedules.MapGet("/{id}", async Task<Results<Ok<ScheduleDto>, ProblemHttpResult>> (string id, ScheduleService service, CancellationToken cancellationToken) =>
            Guid.TryParse(id, out var guid) && await service.GetAsync(guid, cancellationToken) is { } schedule ? TypedResults.Ok(schedule) : Missing(id));
        schedules.MapPost("/{id}/pause", (string id, ScheduleService service, CancellationToken cancellationToken) => SetPausedAsync(id, true, service, cancellationToken)).Needs(AuthExtensions.AdminPolicy);
        schedules.MapPost("/{id}/resume", (string id, ScheduleService service, CancellationToken cancellationToken) => SetPausedAsync(id, false, service, cancellationToken)).Needs(AuthExtensions.AdminPolicy);
        schedules.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, ScheduleService service, CancellationToken cancellationToken) =>
            Guid.TryParse(id, out var guid) && await service.DeleteAsync(guid, cancellationToken) ? TypedResults.NoContent() : Missing(id))
            .Needs(AuthExtensions.AdminPolicy);

        var environments = app.MapGroup("/api/environments").RequireAuthorization(AuthExtensions.UserPolicy).ScopedByEnvironmentName().WithTags("Environments");
        environments.MapPost("/{name}/extend", ExtendAsync).Needs(AuthExtensions.OperatorPolicy).Accepts<ExtendRequest>("application/json");
        return app;
    }

    private static async Task<Results<Created<ScheduleDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpRequest request, ClaimsPrincipal user, ScheduleService service, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<ScheduleRequest>(request, SpecJson.Strict, cancellationToken);
        if (body.IsTooLarge) return Problems.TooLarge(request);
        if (body.Errors is { } errors) return Problems.Invalid(errors);
        Audit.AuditTrail.SetEnvironment(request.HttpContext, body.Value!.Environment);
        if (body.Value!.Environment is { } environment && !EnvironmentScope.Allows(user, environment)) return EnvironmentScope.Forbidden(user, environment);
        var result = await service.CreateAsync(body.Value!, user.FindFirstValue(ClaimTypes.Name), cancellationToken);
        if (result.Invalid is { } invalid) return Problems.Invalid(invalid);
        return TypedResults.Created($"/api/schedules/{result.Schedule!.Id}", result.Schedule);
    }

    private static async Task<Results<Ok<ScheduleDto>, ProblemHttpResult>> SetPausedAsync(string id, bool paused, ScheduleService service, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var guid) && await service.SetPausedAsync(guid, paused, cancellationToken) is { } schedule ? TypedResults.Ok(schedule) : Missing(id);

    private static ProblemHttpResult Missing(string id) => Problems.NotFound($"There is no schedule '{id}'.");

    /// <summary><c>POST /api/environments/{name}/extend</c> <c>{"by": "4h"}</c>: moves the teardown time later.</summary>
    private static async Task<Results<Ok<ExtendResponse>, ValidationProblem, ProblemHttpResult>> ExtendAsync(
        string name, HttpRequest request, CostGuard guard, Environments.EnvironmentStore environments, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<ExtendRequest>(request, SpecJson.Strict, cancellationToken);
        if (body.IsTooLarge) return Problems.TooLarge(request);
        if (body.Errors is { } errors) return Problems.Invalid(errors);
        if (body.Value!.By is not { } text || !Durations.TryParse(text, out var by) || by <= TimeSpan.Zero)
            return Problems.Invalid("by", "Required: a positive duration such as 4h, 30m or 1h30m.");
        if (await environments.GetAsync(name, cancellationToken) is null) return Problems.NotFound($"Environment '{name}' does not exist.");
        if (await guard.ExtendAsync(name, by, cancellationToken) is not { } at)
            return Problems.Conflict($"Environment '{name}' has no teardown scheduled (its latest succeeded rollout sets no cleanup.teardownAfter).", "No teardown scheduled");
        return TypedResults.Ok(new ExtendResponse(name, at));
    }

    public sealed record ExtendRequest
    {
        public string? By { get; init; }
    }

    public sealed record ExtendResponse(string Environment, DateTimeOffset TeardownAt);
}
