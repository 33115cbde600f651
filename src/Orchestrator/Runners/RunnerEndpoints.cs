using System.Security.Claims;
using Contracts;
using Contracts.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Auth;
using Orchestrator.Dispatch;
using Orchestrator.Hosting;
using Orchestrator.Rollouts;

namespace Orchestrator.Runners;

public static class RunnerEndpoints
{
    public static IEndpointRouteBuilder MapRunners(this IEndpointRouteBuilder app)
    {
        var runners = app.MapGroup("/api/runners").WithTags("Runners");
        runners.MapGet("", (RunnerStore store, CancellationToken cancellationToken) => ListAsync(store, cancellationToken))
            .RequireAuthorization(AuthExtensions.UserPolicy);
        runners.MapDelete("/{id:guid}", RemoveAsync).RequireAuthorization(AuthExtensions.GlobalAdminPolicy);
        runners.MapPost("/register", RegisterAsync).RequireAuthorization(AuthExtensions.RegistrationPolicy)
            .Accepts<RegisterRunnerRequest>("application/json");
        runners.MapPost("/claim", ClaimAsync).RequireAuthorization(AuthExtensions.RunnerPolicy);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<RunnerDto>>> ListAsync(RunnerStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(Guid id, RunnerStore store, CancellationToken cancellationToken) =>
        await store.RemoveAsync(id, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound($"Runner {id} does not exist.");

    private static async Task<Results<Created<RegisterRunnerResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        HttpRequest request, ClaimsPrincipal user, RunnerStore store, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<RegisterRunnerRequest>(request, ContractJson.Options, cancellationToken);
        if (body.IsTooLarge) return Problems.TooLarge(request);
        if (body.Errors is { } errors) return Problems.Invalid(errors);
        var registration = body.Value!;
        if (string.IsNullOrWhiteSpace(registration.Name) || registration.Name.Length > 200) return Problems.Invalid("name", "Required, at most 200 characters.");
        if (registration.Labels is null || registration.Labels.Any(string.IsNullOrWhiteSpace)) return Problems.Invalid("labels", "Must be a list of non-empty labels.");
        var response = await store.RegisterAsync(Caller.TokenId(user), registration, cancellationToken);
        if (response is null)
            return TypedResults.Problem(detail: "This registration token was already used.", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        return TypedResults.Created($"/api/runners/{response.RunnerId}", response);
    }

    private static async Task<Results<Ok<StepClaim>, NoContent, ProblemHttpResult>> ClaimAsync(
        ClaimsPrincipal user, StepClaimer claimer, IOptions<DispatchOptions> options, IHostApplicationLifetime lifetime,
        int? waitSeconds, CancellationToken cancellationToken)
    {
        var runnerId = Caller.RunnerId(user);
        var labels = Caller.RunnerLabels(user);
        if (!await claimer.TouchRunnerAsync(runnerId, cancellationToken))
            return TypedResults.Problem(detail: "This runner was removed.", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        var wait = TimeSpan.FromSeconds(Math.Clamp(waitSeconds ?? 30, 0, options.Value.MaxClaimWaitSeconds));
        // A stopping host answers 204 at once rather than holding the runner until the request is aborted.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            var claim = await claimer.ClaimAsync(runnerId, labels, wait, linked.Token);
            return claim is null ? TypedResults.NoContent() : TypedResults.Ok(claim);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return TypedResults.NoContent();
        }
    }
}
