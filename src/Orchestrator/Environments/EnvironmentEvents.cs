using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Orchestrator.Auth;
using Orchestrator.Hosting;

namespace Orchestrator.Environments;

/// <summary><c>GET /api/environments/{name}/events?limit=</c>: newest first.</summary>
public static class EnvironmentEvents
{
    public static IEndpointRouteBuilder MapEnvironmentEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/environments/{name}/events", ListAsync).RequireAuthorization(AuthExtensions.UserPolicy).ScopedByEnvironmentName().WithTags("Environments");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<EnvironmentEventDto>>, ValidationProblem, ProblemHttpResult>> ListAsync(
        string name, int? limit, NpgsqlDataSource dataSource, EnvironmentStore environments, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000) return Problems.Invalid("limit", "Must be between 1 and 1000.");
        if (await environments.GetAsync(name, cancellationToken) is null) return Problems.NotFound($"Environment '{name}' does not exist.");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Kind, DateTime At, Guid? RunId, string Details)>(new CommandDefinition("""
            SELECT id, kind, at, run_id, details::text FROM environment_events WHERE environment = @name ORDER BY at DESC, id DESC LIMIT @limit
            """, new { name, limit = limit ?? 50 }, cancellationToken: cancellationToken));
        IReadOnlyList<EnvironmentEventDto> events = rows.Select(r => new EnvironmentEventDto(
            r.Id, r.Kind, new DateTimeOffset(DateTime.SpecifyKind(r.At, DateTimeKind.Utc)), r.RunId, JsonNode.Parse(r.Details)!.AsObject())).ToList();
        return TypedResults.Ok(events);
    }
}
