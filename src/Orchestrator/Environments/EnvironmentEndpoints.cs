using Contracts;
using Contracts.Specs;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Microsoft.Extensions.Options;
using Orchestrator.Health;
using Orchestrator.Hosting;
using Orchestrator.Rollouts;

namespace Orchestrator.Environments;

public static class EnvironmentEndpoints
{
    public static IEndpointRouteBuilder MapEnvironments(this IEndpointRouteBuilder app)
    {
        var environments = app.MapGroup("/api/environments").RequireAuthorization(AuthExtensions.UserPolicy).ScopedByEnvironmentName().WithTags("Environments");
        environments.MapGet("", async (EnvironmentStore store, System.Security.Claims.ClaimsPrincipal user, CancellationToken cancellationToken) =>
            TypedResults.Ok((await store.ListAsync(cancellationToken)).Where(e => EnvironmentScope.Allows(user, e.Name)).ToList()));
        environments.MapGet("/{name}", GetAsync);
        environments.MapPut("/{name}", PutAsync).Needs(AuthExtensions.AdminPolicy).Accepts<PutEnvironmentRequest>("application/json");
        environments.MapPost("/{name}/generate", GenerateAsync).Needs(AuthExtensions.OperatorPolicy).WithMetadata(Audit.NotAuditedMetadata.Instance);
        environments.MapPost("/{name}/teardown", TeardownEndpoint.HandleAsync).Needs(AuthExtensions.AdminPolicy);
        environments.MapDelete("/{name}", EnvironmentDeleteEndpoint.HandleAsync).Needs(AuthExtensions.AdminPolicy);
        return app;
    }

    private static async Task<Results<Ok<EnvironmentDto>, ProblemHttpResult>> GetAsync(string name, EnvironmentStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(name, cancellationToken) is { } environment ? TypedResults.Ok(environment) : Problems.NotFound($"Environment '{name}' does not exist.");

    private static async Task<Results<Ok<EnvironmentDto>, Created<EnvironmentDto>, ValidationProblem, ProblemHttpResult>> PutAsync(
        string name, HttpRequest request, EnvironmentStore store, IOptions<NotificationOptions> notifications, CancellationToken cancellationToken)
    {
        if (!SpecValidator.IsDnsLabel(name)) return Problems.Invalid("name", "Must be a DNS label: lowercase letters, digits and '-', at most 63 characters.");
        var body = await JsonBody.ReadAsync<PutEnvironmentRequest>(request, SpecJson.Strict, cancellationToken);
        if (body.IsTooLarge) return Problems.TooLarge(request);
        if (body.Errors is { } errors) return Problems.Invalid(errors);
        if (body.Value!.TargetKind is not { } kind || !TargetKinds.All.Contains(kind))
            return Problems.Invalid("targetKind", $"Must be one of: {string.Join(", ", TargetKinds.All)}.");
        var health = body.Value.Health ?? new HealthSettings();
        var invalid = new ValidationErrors();
        var interval = HealthSettingsValidator.IntervalSeconds(health, notifications.Value, invalid);
        if (!invalid.IsEmpty) return Problems.Invalid(invalid);
        var (environment, created) = await store.PutAsync(
            name, kind, body.Value.Approval?.Required ?? false, interval, health.Notify ?? [], cancellationToken);
        return created ? TypedResults.Created($"/api/environments/{name}", environment) : TypedResults.Ok(environment);
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> GenerateAsync(
        string name, HttpRequest request, EnvironmentStore store, GenerateRelay relay, CancellationToken cancellationToken)
    {
        if (request.ContentLength > Orchestrator.Limits.BodyLimit.Of(request.HttpContext).Bytes) return Problems.TooLarge(request);
        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.TooLarge(request);
        }
        var environment = await store.GetAsync(name, cancellationToken);
        if (environment is null) return Problems.NotFound($"Environment '{name}' does not exist.");
        if (environment.State.FrontUrl is not { Length: > 0 } frontUrl)
            return Problems.Conflict($"Environment '{name}' serves nothing yet: no rollout has recorded a front URL.", "Nothing served");
        var failure = await relay.RelayAsync(frontUrl, buffer.ToArray(), request.HttpContext.Response, cancellationToken);
        return failure is null
            ? TypedResults.Empty
            : TypedResults.Problem(detail: failure, statusCode: StatusCodes.Status502BadGateway, title: "The environment's front failed");
    }
}
