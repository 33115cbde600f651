using System.Text.Json.Nodes;
using Dapper;
using Npgsql;

namespace Orchestrator.Environments;

public sealed class EnvironmentStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string Columns = "name AS Name, target_kind AS TargetKind, created_at AS CreatedAt, state::text AS State";

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
    public async Task<(EnvironmentDto Environment, bool Created)> PutAsync(string name, string targetKind, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<UpsertRow>(new CommandDefinition($"""
            INSERT INTO environments (name, target_kind, created_at, updated_at) VALUES (@name, @targetKind, @now, @now)
            ON CONFLICT (name) DO UPDATE SET target_kind = EXCLUDED.target_kind, updated_at = EXCLUDED.updated_at
            RETURNING {Columns}, (xmax = 0) AS Inserted
            """, new { name, targetKind, now = time.GetUtcNow() }, cancellationToken: cancellationToken));
        return (new Row { Name = row.Name, TargetKind = row.TargetKind, CreatedAt = row.CreatedAt, State = row.State }.ToDto(), row.Inserted);
    }

    private record Row
    {
        public string Name { get; init; } = "";
        public string TargetKind { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public string State { get; init; } = "{}";

        public EnvironmentDto ToDto() => new(Name, TargetKind, new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)), JsonNode.Parse(State)!.AsObject());
    }

    private sealed record UpsertRow : Row
    {
        public bool Inserted { get; init; }
    }
}
