using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Orchestrator.Persistence;

namespace Orchestrator.Hosting;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous().WithTags("Health");
        app.MapGet("/readyz", ReadyAsync).AllowAnonymous().WithTags("Health");
        return app;
    }

    // Ready = the database answers and every migration this binary knows is applied.
    private static async Task<Results<Ok<object>, ProblemHttpResult>> ReadyAsync(Migrator migrator, CancellationToken cancellationToken)
    {
        try
        {
            if (await migrator.IsCurrentAsync(cancellationToken)) return TypedResults.Ok<object>(new { status = "ready" });
            return TypedResults.Problem(detail: "Migrations are not all applied yet.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready");
        }
        catch (NpgsqlException ex)
        {
            return TypedResults.Problem(detail: $"The database is unreachable: {ex.Message}", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready");
        }
    }
}
