using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace EngineImage.Serving;

/// <summary>The HTTP API of JetStream's <c>jetstream-http</c> front, served by the engine itself.</summary>
public static class ServingEndpoints
{
    public static IEndpointRouteBuilder MapServingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (EngineState state) => TypedResults.Ok(new Greeting("JetStream HTTP Server", state.Live is not null)));
        app.MapGet("/healthcheck", Healthcheck);
        app.MapGet("/metrics", (EngineState state, ServingMetrics metrics) =>
            TypedResults.Text(metrics.Render(state.Live?.Snapshot()), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapPost("/generate", GenerateEndpoint.HandleAsync);
        return app;
    }

    private static Results<Ok<Health>, ProblemHttpResult> Healthcheck(EngineState state) => state.Live is not null
        ? TypedResults.Ok(new Health(new Liveness(true)))
        : TypedResults.Problem(
            title: "The model is still loading",
            statusCode: StatusCodes.Status500InternalServerError,
            extensions: new Dictionary<string, object?> { ["response"] = new Liveness(false) });

    private sealed record Greeting([property: JsonPropertyName("message")] string Message, [property: JsonPropertyName("live")] bool Live);

    private sealed record Health([property: JsonPropertyName("response")] Liveness Response);

    private sealed record Liveness([property: JsonPropertyName("is_live")] bool IsLive);
}
