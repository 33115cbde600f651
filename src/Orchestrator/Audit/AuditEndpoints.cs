using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Auth;
using Orchestrator.Hosting;

namespace Orchestrator.Audit;

/// <summary><c>GET /api/audit</c>: the audit trail, newest first, for admins whose token is not limited to environments.</summary>
public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ListAsync).RequireAuthorization(AuthExtensions.GlobalAdminPolicy).WithTags("Audit");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<AuditEntryDto>>, ValidationProblem>> ListAsync(
        AuditStore store, string? actor, string? environment, DateTimeOffset? since, long? before, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000) return Problems.Invalid("limit", "Must be between 1 and 1000.");
        if (before is < 1) return Problems.Invalid("before", "Must be an entry id (1 or more).");
        return TypedResults.Ok(await store.ListAsync(new AuditQuery(actor, environment, since, before, limit ?? 100), cancellationToken));
    }
}
