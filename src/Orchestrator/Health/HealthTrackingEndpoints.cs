using System.Globalization;
using System.Security.Claims;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Orchestrator.Hosting;
using Orchestrator.Rollouts;
using Orchestrator.Limits;

namespace Orchestrator.Health;

/// <summary>
/// <c>GET /api/environments/{name}/health?since=</c> for users; <c>POST /api/runners/watches</c> (take and renew watch
/// leases), <c>POST /api/runners/watches/samples</c> (report samples) and <c>POST /api/runners/watches/events</c> (what
/// the holder did, such as <c>scaled</c>) for runners.
/// </summary>
public static class HealthTrackingEndpoints
{
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(90);

    public static IEndpointRouteBuilder MapHealthTracking(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/environments/{name}/health", GetAsync).RequireAuthorization(AuthExtensions.UserPolicy).ScopedByEnvironmentName().WithTags("Environments");
        var watches = app.MapGroup("/api/runners/watches").RequireAuthorization(AuthExtensions.RunnerPolicy).WithBodyLimit(BodyKind.Runner).WithTags("Runner protocol");
        watches.MapPost("", RenewAsync).Accepts<WatchRequest>("application/json");
        watches.MapPost("/samples", ReportAsync).Accepts<ReportSamplesRequest>("application/json");
        watches.MapPost("/events", ReportEventsAsync).Accepts<ReportEventsRequest>("application/json");
        return app;
    }

    private static async Task<Results<Ok<HealthDto>, ValidationProblem, ProblemHttpResult>> GetAsync(
        string name, string? since, HealthReadModel health, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Window(since, time.GetUtcNow()) is not { } window)
            return Problems.Invalid("since", "Must be a duration such as 15m, 1h or 7d (at most 90d), or an ISO 8601 time within the last 90 days.");
        return await health.GetAsync(name, window, cancellationToken) is { } dto ? TypedResults.Ok(dto) : Problems.NotFound($"Environment '{name}' does not exist.");
    }

    /// <summary>A duration back from now, or a moment; absent means the last hour.</summary>
    public static TimeSpan? Window(string? since, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(since)) return TimeSpan.FromHours(1);
        if (Durations.TryParse(since, out var duration)) return duration > TimeSpan.Zero && duration <= MaxWindow ? duration : null;
        if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at <= now && now - at <= MaxWindow)
            return now - at;
        return null;
    }

    private static async Task<Results<Ok<WatchResponse>, ValidationProblem, ProblemHttpResult>> RenewAsync(
        HttpRequest request, ClaimsPrincipal user, WatchLeases leases, Dispatch.StepClaimer claimer, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<WatchRequest>(request, ContractJson.Options, cancellationToken);
        if (body.IsTooLarge) return Problems.TooLarge(request);
        if (body.Errors is { } errors) return Problems.Invalid(errors);
        var runnerId = Caller.RunnerId(user);
        if (!await claimer.TouchRunnerAsync(runnerId, cancellationToken))
            return TypedResults.Problem(detail: "This runner was removed.", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        var release = body.Value!.Release ?? [];
        if (release.Any(string.IsNullOrEmpty)) return Problems.Invalid("release", "Must list environment names.");
        var kinds = Caller.RunnerLabels(user).Intersect(body.Value.Kinds ?? []).ToArray();
        return TypedResults.Ok(await leases.RenewAsync(runnerId, kinds, release, cancellationToken));
    }

    private static async Task<Results<Ok<ReportSamplesResponse>, ValidationProblem, ProblemHttpResult>> ReportAsync(
        HttpRequest request, ClaimsPrincipal user, SampleIngest ingest, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<ReportSamplesRequest>(request, ContractJson.Options, cancellationToken);
        if (body.IsTooLarge) return Problems.TooLarge(request);
        if (body.Errors is { } errors) return Problems.Invalid(errors);
        var samples = body.Value!.Samples ?? [];
        if (samples.Count > SampleIngest.MaxSamplesPerBatch) return Problems.Invalid("samples", $"At most {SampleIngest.MaxSamplesPerBatch} a batch.");
        var invalid = new ValidationErrors();
        var now = time.GetUtcNow();
        for (var i = 0; i < samples.Count; i++)
        {
            if (samples[i] is not { } s) { invalid.Add($"samples[{i}]", "Must be an object."); continue; }
            if (string.IsNullOrEmpty(s.Environment)) invalid.Add($"samples[{i}].environment", "Required.");
            if (s.WatchToken == Guid.Empty) invalid.Add($"samples[{i}].watchToken", "Required.");
            if (s.At == default || s.At > now.AddMinutes(5) || s.At < now.AddDays(-1)) invalid.Add($"samples[{i}].at", "Must be a time within the last day.");
        }
        if (!invalid.IsEmpty) return Problems.Invalid(invalid);
        return TypedResults.Ok(await ingest.ReportAsync(Caller.RunnerId(user), samples, cancellationToken));
    }

    private static async Task<Results<Ok<ReportSamplesResponse>, ValidationProblem, ProblemHttpResult>> ReportEventsAsync(
        HttpRequest request, ClaimsPrincipal user, WatchEvents events, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<ReportEventsRequest>(request, ContractJson.Options, cancellationToken);
        if (body.IsTooLarge) return Problems.TooLarge(request);
        if (body.Errors is { } errors) return Problems.Invalid(errors);
        var list = body.Value!.Events ?? [];
        if (list.Count > WatchEvents.MaxPerBatch) return Problems.Invalid("events", $"At most {WatchEvents.MaxPerBatch} a batch.");
        var invalid = new ValidationErrors();
        var now = time.GetUtcNow();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not { } e) { invalid.Add($"events[{i}]", "Must be an object."); continue; }
            if (string.IsNullOrEmpty(e.Environment)) invalid.Add($"events[{i}].environment", "Required.");
            if (e.WatchToken == Guid.Empty) invalid.Add($"events[{i}].watchToken", "Required.");
            if (!WatchEvents.Kinds.Contains(e.Kind)) invalid.Add($"events[{i}].kind", $"Must be one of: {string.Join(", ", WatchEvents.Kinds)}.");
            if (e.At == default || e.At > now.AddMinutes(5) || e.At < now.AddDays(-1)) invalid.Add($"events[{i}].at", "Must be a time within the last day.");
            if (e.Details is null) invalid.Add($"events[{i}].details", "Must be an object.");
        }
        if (!invalid.IsEmpty) return Problems.Invalid(invalid);
        return TypedResults.Ok(await events.ReportAsync(Caller.RunnerId(user), list, cancellationToken));
    }
}
