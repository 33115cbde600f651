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
        // Two statements in one round trip; they run in order, so the run's lock is taken before the step's.
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT id FROM runs WHERE id = (SELECT run_id FROM steps WHERE id = @stepId) FOR UPDATE;
            SELECT s.id AS Id, s.run_id AS RunId, s.name AS Name, s.kind AS Kind, s.attempt AS Attempt,
                   s.released_attempts AS ReleasedAttempts, s.max_attempts AS MaxAttempts,
                   r.status AS RunStatus, r.ending_status AS EndingStatus, r.environment AS Environment,
                   s.attempt_started_at AS AttemptStartedAt, r.traceparent AS Traceparent
            FROM steps s JOIN runs r ON r.id = s.run_id
            WHERE s.id = @stepId AND s.lease_token = @leaseToken AND s.status = 'running'
            FOR UPDATE OF s;
            """, new { stepId, leaseToken }, transaction, cancellationToken: cancellationToken));
        await results.ReadAsync<Guid>();
        return await results.ReadSingleOrDefaultAsync<FencedStep>();
    }
}
