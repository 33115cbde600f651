using Dapper;
using Npgsql;

namespace Orchestrator.Environments;

public sealed class EnvironmentStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string Columns = """
        name AS Name, target_kind AS TargetKind, created_at AS CreatedAt, state::text AS State, require_approval AS RequireApproval,
        health_interval_seconds AS HealthIntervalSeconds, notify_urls AS NotifyUrls, teardown_at AS TeardownAt,
        COALESCE((SELECT h.status FROM health_status h WHERE h.environment = environments.name), 'unknown') AS HealthStatus
        """;

    public async Task<IReadOnlyList<EnvironmentDto>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM environments ORDER BY name", cancellationToken: cancellationToken));
        return rows.Select(r => r.ToDto()).ToList();
    }

    public async Task<EnvironmentDto?> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM environments WHERE name = @name", new { name }, cancellationToken: cancellationToken));
        return row?.ToDto();
    }

    /// <summary>Creates or updates; <c>Created</c> tells which.</summary>
    public async Task<(EnvironmentDto Environment, bool Created)> PutAsync(
        string name, string targetKind, bool requireApproval, int healthIntervalSeconds, IReadOnlyList<string> notifyUrls, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<UpsertRow>(new CommandDefinition($"""
            INSERT INTO environments (name, target_kind, require_approval, health_interval_seconds, notify_urls, created_at, updated_at)
            VALUES (@name, @targetKind, @requireApproval, @healthIntervalSeconds, @notifyUrls, @now, @now)
            ON CONFLICT (name) DO UPDATE SET target_kind = EXCLUDED.target_kind, require_approval = EXCLUDED.require_approval,
                health_interval_seconds = EXCLUDED.health_interval_seconds, notify_urls = EXCLUDED.notify_urls, updated_at = EXCLUDED.updated_at
            RETURNING {Columns}, (xmax = 0) AS Inserted
            """, new { name, targetKind, requireApproval, healthIntervalSeconds, notifyUrls = notifyUrls.ToArray(), now = time.GetUtcNow() },
            cancellationToken: cancellationToken));
        return (row.ToDto(), row.Inserted);
    }

    private record Row
    {
        public string Name { get; init; } = "";
        public string TargetKind { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public string State { get; init; } = "{}";
        public bool RequireApproval { get; init; }
        public int HealthIntervalSeconds { get; init; }
        public string[] NotifyUrls { get; init; } = [];
        public string HealthStatus { get; init; } = "";
        public DateTime? TeardownAt { get; init; }

        public EnvironmentDto ToDto() => new(Name, TargetKind, new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)),
            Dispatch.EnvironmentStateWrite.Parse(State), new ApprovalSettings { Required = RequireApproval },
            new HealthSettings { Interval = $"{HealthIntervalSeconds}s", Notify = NotifyUrls }, HealthStatus,
            TeardownAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null);
    }

    private sealed record UpsertRow : Row
    {
        public bool Inserted { get; init; }
    }
}
