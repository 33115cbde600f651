using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Orchestrator.Hosting;
using Orchestrator.Limits;

namespace Orchestrator.Runs;

public static class LogEndpoints
{
    public static IEndpointRouteBuilder MapLogs(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization(AuthExtensions.UserPolicy).WithTags("Logs");
        api.MapGet("/runs/{id:guid}/logs", (Guid id, long? after, bool? follow, HttpRequest request, LogStore store, CancellationToken cancellationToken) =>
            ReadAsync(new LogScope(id, null), after, follow, request, store, cancellationToken)).ScopedByRun().LimitFollowers();
        api.MapGet("/steps/{id:guid}/logs", (Guid id, long? after, bool? follow, HttpRequest request, LogStore store, CancellationToken cancellationToken) =>
            ReadAsync(new LogScope(null, id), after, follow, request, store, cancellationToken)).ScopedByStep().LimitFollowers();
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<LogLineDto>>, LogEventStream, ProblemHttpResult>> ReadAsync(
        LogScope scope, long? after, bool? follow, HttpRequest request, LogStore store, CancellationToken cancellationToken)
    {
        if (!await store.ExistsAsync(scope, cancellationToken))
            return Problems.NotFound(scope.StepId is { } stepId ? $"Step {stepId} does not exist." : $"Run {scope.RunId} does not exist.");
        if (!IsFollow(request)) return TypedResults.Ok(await store.ReadAsync(scope, after ?? 0, cancellationToken));
        var resume = long.TryParse(request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var lastEventId) ? lastEventId : after ?? 0;
        return new LogEventStream(scope, resume);
    }

    /// <summary>A request that follows the log as it grows (and so holds a follower slot) rather than reading it once.</summary>
    public static bool IsFollow(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return bool.TryParse(request.Query["follow"], out var follow) && follow
            || request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
    }
}
