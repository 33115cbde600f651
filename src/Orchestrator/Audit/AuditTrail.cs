using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Npgsql;
using Orchestrator.Auth;

namespace Orchestrator.Audit;

/// <summary>Marks a POST that changes nothing (a plan preview, a prompt), so that it is not written to the audit trail.</summary>
public sealed class NotAuditedMetadata
{
    public static readonly NotAuditedMetadata Instance = new();
}

/// <summary>
/// Writes every change a user makes through the API — who, what, when, from where, and how it was answered, refusals
/// included — to <c>audit</c>. The row is written as the answer starts, before the client can see it, so an
/// acknowledged change has its row unless the database refused the row, which is logged as an error. Bodies are never
/// written (they may hold secrets); the route's values and the query string are, and the environment a handler named
/// with <see cref="SetEnvironment"/> when the route does not name it.
/// </summary>
public sealed partial class AuditTrail(RequestDelegate next, NpgsqlDataSource dataSource, TimeProvider time, ILogger<AuditTrail> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsAudited(context)) context.Response.OnStarting(() => WriteAsync(context));
        await next(context);
    }

    private const string EnvironmentItem = "orchestrator.audit.environment";

    /// <summary>The environment a change is about, when its route does not name it (a rollout, a schedule).</summary>
    public static void SetEnvironment(HttpContext context, string? environment)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[EnvironmentItem] = environment;
    }

    private static bool IsAudited(HttpContext context) =>
        !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method)
        && context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
        && context.User.FindFirstValue(TokenClaims.Kind) == TokenKinds.User
        && context.GetEndpoint()?.Metadata.GetMetadata<NotAuditedMetadata>() is null;

    private async Task WriteAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint() as RouteEndpoint;
        var routeValues = context.Request.RouteValues
            .Where(v => v.Value is string)
            .ToDictionary(v => v.Key, v => (string)v.Value!, StringComparer.Ordinal);
        var details = new Dictionary<string, object?> { ["route"] = routeValues };
        if (context.Request.QueryString.HasValue) details["query"] = context.Request.QueryString.Value;
        var user = context.User;
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO audit (at, actor, action, token_id, method, path, environment, status, remote, details)
                VALUES (@at, @actor, @action, @tokenId, @method, @path, @environment, @status, @remote, CAST(@details AS jsonb))
                """, new
            {
                at = time.GetUtcNow(),
                actor = Caller.Actor(user),
                action = $"{context.Request.Method} {Pattern(endpoint) ?? context.Request.Path.Value}",
                tokenId = Guid.TryParse(user.FindFirstValue(TokenClaims.TokenId), out var tokenId) ? tokenId : (Guid?)null,
                method = context.Request.Method,
                path = context.Request.Path.Value,
                environment = routeValues.GetValueOrDefault("name") ?? context.Items[EnvironmentItem] as string,
                status = context.Response.StatusCode,
                remote = context.Connection.RemoteIpAddress?.ToString(),
                details = JsonSerializer.Serialize(details),
            }, cancellationToken: CancellationToken.None));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogNotWritten(log, e, context.Request.Method, context.Request.Path.Value);
        }
    }

    /// <summary>The route as mapped, without the trailing slash a group's own route leaves (<c>/api/tokens/</c>).</summary>
    private static string? Pattern(RouteEndpoint? endpoint) =>
        endpoint?.RoutePattern.RawText is { Length: > 1 } raw ? raw.TrimEnd('/') : endpoint?.RoutePattern.RawText;

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit row of {Method} {Path} could not be written")]
    private static partial void LogNotWritten(ILogger logger, Exception exception, string method, string? path);
}
