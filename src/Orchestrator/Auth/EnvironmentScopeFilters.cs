using Dapper;
using Npgsql;

namespace Orchestrator.Auth;

/// <summary>
/// Endpoint filters that refuse a token limited to environments when the request is about another one: the
/// environment named in the route, or the one of the run, step or schedule it names. A request about something that
/// does not exist goes on to its handler, which answers 404.
/// </summary>
public static class EnvironmentScopeFilters
{
    /// <summary>The route's <c>{name}</c> is the environment.</summary>
    public static TBuilder ScopedByEnvironmentName<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.RouteValues.TryGetValue("name", out var name) && name is string environment
            && !EnvironmentScope.Allows(context.HttpContext.User, environment)
                ? EnvironmentScope.Forbidden(context.HttpContext.User, environment)
                : await next(context));

    /// <summary>The route's <c>{id}</c> is a run.</summary>
    public static TBuilder ScopedByRun<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ScopedBy("SELECT environment FROM runs WHERE id = @id");

    /// <summary>The route's <c>{id}</c> is a step.</summary>
    public static TBuilder ScopedByStep<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ScopedBy("SELECT r.environment FROM steps s JOIN runs r ON r.id = s.run_id WHERE s.id = @id");

    /// <summary>The route's <c>{id}</c> is a schedule.</summary>
    public static TBuilder ScopedBySchedule<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ScopedBy("SELECT environment FROM schedules WHERE id = @id");

    private static TBuilder ScopedBy<TBuilder>(this TBuilder builder, string lookup) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (EnvironmentScope.Of(http.User) is null
                || !http.Request.RouteValues.TryGetValue("id", out var value) || !Guid.TryParse(value as string, out var id))
            {
                return await next(context);
            }
            var dataSource = http.RequestServices.GetRequiredService<NpgsqlDataSource>();
            await using var connection = await dataSource.OpenConnectionAsync(http.RequestAborted);
            var environment = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(lookup, new { id }, cancellationToken: http.RequestAborted));
            return environment is not null && !EnvironmentScope.Allows(http.User, environment)
                ? EnvironmentScope.Forbidden(http.User, environment)
                : await next(context);
        });
}
