using System.Text.Json;
using Dapper;
using Npgsql;

namespace Orchestrator.Audit;

public sealed record AuditEntryDto
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string Actor { get; init; } = "";
    public string Action { get; init; } = "";
    public string? Method { get; init; }
    public string? Path { get; init; }
    public string? Environment { get; init; }
    public int? Status { get; init; }
    public string? Remote { get; init; }
    public Guid? RunId { get; init; }
    public Guid? TokenId { get; init; }
    public JsonElement Details { get; init; }
}

public sealed record AuditQuery(string? Actor, string? Environment, DateTimeOffset? Since, long? Before, int Limit);

/// <summary>Reads the audit trail, newest first, a page at a time (<c>before</c> is the last id of the previous page).</summary>
public sealed class AuditStore(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<AuditEntryDto>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            SELECT a.id AS Id, a.at AS At, a.actor AS Actor, a.action AS Action, a.method AS Method, a.path AS Path,
                   COALESCE(a.environment, r.environment) AS Environment, a.status AS Status, a.remote AS Remote,
                   a.run_id AS RunId, a.token_id AS TokenId, a.details::text AS Details
            FROM audit a LEFT JOIN runs r ON r.id = a.run_id
            WHERE (@actor::text IS NULL OR a.actor = @actor OR a.actor LIKE '%:' || @actor)
              AND (@environment::text IS NULL OR COALESCE(a.environment, r.environment) = @environment)
              AND (@since::timestamptz IS NULL OR a.at >= @since)
              AND (@before::bigint IS NULL OR a.id < @before)
            ORDER BY a.id DESC
            LIMIT @limit
            """, new { actor = query.Actor, environment = query.Environment, since = query.Since, before = query.Before, limit = query.Limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => r.ToDto()).ToList();
    }

    private sealed record Row
    {
        public long Id { get; init; }
        public DateTime At { get; init; }
        public string Actor { get; init; } = "";
        public string Action { get; init; } = "";
        public string? Method { get; init; }
        public string? Path { get; init; }
        public string? Environment { get; init; }
        public int? Status { get; init; }
        public string? Remote { get; init; }
        public Guid? RunId { get; init; }
        public Guid? TokenId { get; init; }
        public string Details { get; init; } = "{}";

        public AuditEntryDto ToDto()
        {
            using var details = JsonDocument.Parse(Details);
            return new AuditEntryDto
            {
                Id = Id, At = new DateTimeOffset(DateTime.SpecifyKind(At, DateTimeKind.Utc)), Actor = Actor, Action = Action, Method = Method,
                Path = Path, Environment = Environment, Status = Status, Remote = Remote, RunId = RunId, TokenId = TokenId,
                Details = details.RootElement.Clone(),
            };
        }
    }
}
