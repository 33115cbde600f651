using Dapper;
using Npgsql;

namespace Orchestrator.Runs;

public sealed class LogStore(NpgsqlDataSource dataSource)
{
    public const int PageSize = 500;

    public async Task<bool> ExistsAsync(LogScope scope, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(scope.StepId is null
            ? "SELECT EXISTS (SELECT 1 FROM runs WHERE id = @RunId)"
            : "SELECT EXISTS (SELECT 1 FROM steps WHERE id = @StepId)", scope, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<LogLineDto>> ReadAsync(LogScope scope, long after, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            SELECT l.id AS Id, l.step_id AS StepId, s.name AS StepName, l.at AS At, l.text AS Text
            FROM step_logs l JOIN steps s ON s.id = l.step_id
            WHERE l.id > @after
              AND (@StepId::uuid IS NULL OR l.step_id = @StepId)
              AND (@RunId::uuid IS NULL OR s.run_id = @RunId)
            ORDER BY l.id
            LIMIT @PageSize
            """, new { scope.RunId, scope.StepId, after, PageSize }, cancellationToken: cancellationToken));
        return rows.Select(r => new LogLineDto(r.Id, r.StepId, r.StepName, new DateTimeOffset(DateTime.SpecifyKind(r.At, DateTimeKind.Utc)), r.Text)).ToList();
    }

    /// <summary>True when no more lines can come: the run ended and none of the scope's steps is still running.</summary>
    public async Task<bool> IsFinishedAsync(LogScope scope, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT r.status IN ('succeeded', 'failed', 'cancelled')
               AND NOT EXISTS (SELECT 1 FROM steps s WHERE s.run_id = r.id AND s.status = 'running'
                                                    AND (@StepId::uuid IS NULL OR s.id = @StepId))
               OR (@StepId::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM steps s WHERE s.id = @StepId
                                                         AND s.status IN ('succeeded', 'failed', 'cancelled', 'skipped')))
            FROM runs r
            WHERE r.id = COALESCE(@RunId, (SELECT run_id FROM steps WHERE id = @StepId))
            """, new { scope.RunId, scope.StepId }, cancellationToken: cancellationToken));
    }

    private sealed record Row
    {
        public long Id { get; init; }
        public Guid StepId { get; init; }
        public string StepName { get; init; } = "";
        public DateTime At { get; init; }
        public string Text { get; init; } = "";
    }
}
