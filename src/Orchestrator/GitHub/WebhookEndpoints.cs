using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Orchestrator.Hosting;
using Orchestrator.Rollouts;
using Orchestrator.Limits;

namespace Orchestrator.GitHub;

public static class WebhookEndpoints
{
    public const string DeliveryHeader = "X-GitHub-Delivery";
    public const string EventHeader = "X-GitHub-Event";

    public static IEndpointRouteBuilder MapGitHubWebhooks(this IEndpointRouteBuilder app)
    {
        // GitHub signs instead of sending a bearer token.
        app.MapPost("/api/webhooks/github", ReceiveAsync).AllowAnonymous().WithBodyLimit(BodyKind.Webhook).WithTags("Webhooks");
        var api = app.MapGroup("/api/webhooks").RequireAuthorization(AuthExtensions.UserPolicy).RequireAuthorization(AuthExtensions.GlobalUserPolicy).WithTags("Webhooks");
        api.MapGet("/bindings", async (BindingStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)));
        api.MapGet("/bindings/{id:guid}", GetAsync);
        api.MapPost("/bindings", CreateAsync).Needs(AuthExtensions.AdminPolicy).Accepts<BindingRequest>("application/json");
        api.MapPut("/bindings/{id:guid}", ReplaceAsync).Needs(AuthExtensions.AdminPolicy).Accepts<BindingRequest>("application/json");
        api.MapDelete("/bindings/{id:guid}", DeleteAsync).Needs(AuthExtensions.AdminPolicy);
        api.MapGet("/deliveries", ListDeliveriesAsync);
        return app;
    }

    /// <summary>Record, then work: nothing here waits for GitHub, so the answer comes well within its 10 s.</summary>
    private static async Task<Results<Ok<WebhookAck>, ProblemHttpResult, ValidationProblem>> ReceiveAsync(
        HttpRequest request, DeliveryRecorder recorder, WebhookSecrets secrets, Telemetry.OrchestratorMetrics metrics, CancellationToken cancellationToken)
    {
        var result = await ReceiveCoreAsync(request, recorder, secrets, cancellationToken);
        // The event header is the sender's to choose: only the events we know get a series of their own.
        var sent = request.Headers[EventHeader].ToString();
        var name = sent is "release" or "ping" ? sent : "other";
        var code = result.Result is IStatusCodeHttpResult { StatusCode: { } status } ? status : StatusCodes.Status200OK;
        metrics.WebhookDeliveries.WithLabels(name, code == StatusCodes.Status200OK ? "recorded" : code.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        return result;
    }

    private static async Task<Results<Ok<WebhookAck>, ProblemHttpResult, ValidationProblem>> ReceiveCoreAsync(
        HttpRequest request, DeliveryRecorder recorder, WebhookSecrets secrets, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is null) return Problems.TooLarge(request);
        var key = await secrets.ForAsync(body, cancellationToken);
        if (key.Value is not { } secret)
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Webhooks are not configured", detail: key.Problem);
        if (!WebhookSignature.IsValid(request.Headers[WebhookSignature.Header].ToString() is { Length: > 0 } h ? h : null, secret, body))
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Bad signature",
                detail: $"{WebhookSignature.Header} must be 'sha256=' and the hex HMAC-SHA256 of the body with the webhook's secret.");
        if (string.IsNullOrEmpty(request.Headers[DeliveryHeader])) return Problems.Invalid(DeliveryHeader, "Required: the delivery's unique id.");
        if (string.IsNullOrEmpty(request.Headers[EventHeader])) return Problems.Invalid(EventHeader, "Required: the event's name (release, ping).");
        try
        {
            await recorder.RecordAsync(request.Headers, body, cancellationToken);
        }
        catch (JsonException e)
        {
            return Problems.Invalid("$", $"The body is not a GitHub {request.Headers[EventHeader]} event: {e.Message}");
        }
        return TypedResults.Ok(new WebhookAck(request.Headers[DeliveryHeader].ToString()));
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > Orchestrator.Limits.BodyLimit.Of(request.HttpContext).Bytes) return null;
        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        return buffer.Length > Orchestrator.Limits.BodyLimit.Of(request.HttpContext).Bytes ? null : buffer.ToArray();
    }

    private static async Task<Results<Ok<BindingDto>, ProblemHttpResult>> GetAsync(Guid id, BindingStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } binding ? TypedResults.Ok(binding) : Problems.NotFound($"No webhook binding {id}.");

    private static async Task<Results<Created<BindingDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpRequest request, BindingStore store, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(request, cancellationToken);
        if (read.Problem is { } problem) return problem;
        if (read.Invalid is { } invalid) return invalid;
        var (binding, errors) = await store.SaveAsync(null, read.Request!, cancellationToken);
        if (errors is not null) return Problems.Invalid(errors);
        return TypedResults.Created($"/api/webhooks/bindings/{binding!.Id}", binding);
    }

    private static async Task<Results<Ok<BindingDto>, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        Guid id, HttpRequest request, BindingStore store, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(request, cancellationToken);
        if (read.Problem is { } problem) return problem;
        if (read.Invalid is { } invalid) return invalid;
        var (binding, errors) = await store.SaveAsync(id, read.Request!, cancellationToken);
        if (errors is not null) return Problems.Invalid(errors);
        return binding is null ? Problems.NotFound($"No webhook binding {id}.") : TypedResults.Ok(binding);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, BindingStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound($"No webhook binding {id}.");

    private static async Task<Results<Ok<IReadOnlyList<DeliveryDto>>, ValidationProblem>> ListDeliveriesAsync(
        DeliveryStore store, string? repository, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000) return Problems.Invalid("limit", "Must be between 1 and 1000.");
        return TypedResults.Ok(await store.ListAsync(repository, limit ?? 100, cancellationToken));
    }

    private static async Task<BindingRead> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<BindingRequest>(request, SpecJson.Strict, cancellationToken);
        if (body.IsTooLarge) return new BindingRead(null, Problems.TooLarge(request), null);
        if (body.Errors is { } errors) return new BindingRead(null, null, Problems.Invalid(errors));
        var semantic = Bindings.Validate(body.Value!);
        return semantic.IsEmpty ? new BindingRead(body.Value, null, null) : new BindingRead(null, null, Problems.Invalid(semantic));
    }

    private sealed record BindingRead(BindingRequest? Request, ProblemHttpResult? Problem, ValidationProblem? Invalid);
}
