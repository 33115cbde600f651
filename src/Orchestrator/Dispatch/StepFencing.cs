using Dapper;
using Npgsql;

namespace Orchestrator.Dispatch;

/// <summary>
/// Locks a step for a write that must be fenced: first its run's row (the lock order every run transition uses), then
/// the step itself, only while it is running under the given lease token. Null means the lease is gone: answer 409.
/// </summary>
public static class StepFencing
{
    public static async Task<FencedStep?> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid stepId, Guid leaseToken, CancellationToken cancellationToken)
    {
        var runId = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            "SELECT run_id FROM steps WHERE id = @stepId", new { stepId }, transaction, cancellationToken: cancellationToken));
        if (runId is null) return null;
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT 1 FROM runs WHERE id = @runId FOR UPDATE", new { runId }, transaction, cancellationToken: cancellationToken));
        return await connection.QuerySingleOrDefaultAsync<FencedStep>(new CommandDefinition("""
            SELECT s.id AS Id, s.run_id AS RunId, s.name AS Name, s.kind AS Kind, s.attempt AS Attempt,
                   s.released_attempts AS ReleasedAttempts, s.max_attempts AS MaxAttempts,
                   r.status AS RunStatus, r.environment AS Environment
            FROM steps s JOIN runs r ON r.id = s.run_id
            WHERE s.id = @stepId AND s.lease_token = @leaseToken AND s.status = 'running'
            FOR UPDATE OF s
            """, new { stepId, leaseToken }, transaction, cancellationToken: cancellationToken));
    }
}
