using Dapper;
using Npgsql;

namespace Orchestrator.Dispatch;

/// <summary>
/// The state transitions of runs shared by every path that changes a step (completion, lease expiry, cancel, retry,
/// a new rollout). Each method runs inside the caller's transaction; callers hold the run's row lock first and the
/// environment's row lock is taken here, so that any number of orchestrator instances agree on one active run per
/// environment and on FIFO order.
/// </summary>
public sealed class RunProgress(ReadySignal signal)
{
    /// <summary>Pending steps whose dependencies all succeeded or were skipped become ready. A canary pause becomes
    /// ready with its end as <c>not_before</c>; the sweeper completes it then.</summary>
    public static async Task<int> ReadyStepsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var readied = await connection.ExecuteAsync(new CommandDefinition(ReadyStepsSql("@runId"), new { runId, now }, transaction, cancellationToken: cancellationToken));
        if (readied > 0) await NotifyAsync(connection, transaction, cancellationToken);
        return readied;
    }

    /// <summary>Marks the run succeeded when every step succeeded or was skipped; returns its environment if it did.</summary>
    public static Task<string?> SucceedIfDoneAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(SucceedIfDoneSql("@runId"), new { runId, now }, transaction, cancellationToken: cancellationToken));

    /// <summary>The statement of <see cref="ReadyStepsAsync"/> for the run that the SQL expression <paramref name="run"/>
    /// names (a parameter or a subquery: never a value), with <c>@now</c>; shared with the batched completion.</summary>
    public static string ReadyStepsSql(string run) => $"""
        UPDATE steps s
        SET status = 'ready', ready_at = @now,
            not_before = CASE WHEN s.kind = 'canary.pause'
                              THEN @now + make_interval(secs => COALESCE((s.parameters->>'seconds')::double precision, 0))
                              ELSE @now END
        WHERE s.run_id = {run} AND s.status = 'pending'
          AND NOT EXISTS (SELECT 1 FROM steps d
                          WHERE d.run_id = s.run_id AND d.name = ANY (s.depends_on)
                            AND d.status NOT IN ('succeeded', 'skipped'))
        """;

    /// <summary>The statement of <see cref="SucceedIfDoneAsync"/>, like <see cref="ReadyStepsSql"/>.</summary>
    public static string SucceedIfDoneSql(string run) => $"""
        UPDATE runs SET status = 'succeeded', finished_at = @now
        WHERE id = {run} AND status = 'running'
          AND NOT EXISTS (SELECT 1 FROM steps WHERE run_id = runs.id AND status NOT IN ('succeeded', 'skipped'))
        RETURNING environment
        """;

    /// <summary>Ends a queued or running run as failed or cancelled; its pending and ready steps are cancelled, its
    /// running steps keep their leases until their runners hear of it.</summary>
    public static async Task<bool> EndRunAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, string status, string? error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ended = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE runs SET status = @status, error = @error, finished_at = @now
            WHERE id = @runId AND status IN ('queued', 'running')
            """, new { runId, status, error, now }, transaction, cancellationToken: cancellationToken));
        if (ended == 0) return false;
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE steps SET status = 'cancelled', finished_at = @now
            WHERE run_id = @runId AND status IN ('pending', 'ready')
            """, new { runId, now }, transaction, cancellationToken: cancellationToken));
        return true;
    }

    /// <summary>
    /// Starts the environment's oldest queued run when nothing is active there. Active means a run that is running,
    /// or a finished run with a step still running (a cancelled step's runner has not stopped yet).
    /// </summary>
    public async Task<Guid?> AdvanceQueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string environment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT 1 FROM environments WHERE name = @environment FOR UPDATE", new { environment }, transaction, cancellationToken: cancellationToken));
        var next = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("""
            SELECT q.id FROM runs q
            WHERE q.environment = @environment AND q.status = 'queued'
              AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.environment = @environment AND r.status = 'running')
              AND NOT EXISTS (SELECT 1 FROM steps s JOIN runs r ON r.id = s.run_id
                              WHERE r.environment = @environment AND s.status = 'running')
            ORDER BY q.queue_seq
            LIMIT 1
            """, new { environment }, transaction, cancellationToken: cancellationToken));
        if (next is not { } runId) return null;
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE runs SET status = 'running', started_at = COALESCE(started_at, @now) WHERE id = @runId AND status = 'queued'
            """, new { runId, now }, transaction, cancellationToken: cancellationToken));
        await ReadyStepsAsync(connection, transaction, runId, now, cancellationToken);
        // A run whose every step already succeeded (a retry after a late success) is done at once.
        if (await SucceedIfDoneAsync(connection, transaction, runId, now, cancellationToken) is not null)
            return await AdvanceQueueAsync(connection, transaction, environment, now, cancellationToken);
        return runId;
    }

    /// <summary>Delivered to every instance's LISTEN connection when the transaction commits.</summary>
    public static Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"SELECT pg_notify('{ReadyListener.Channel}', '')", transaction: transaction, cancellationToken: cancellationToken));

    /// <summary>Wakes this instance's waiting claims at once, without the LISTEN round trip. Call after commit.</summary>
    public void PulseLocal() => signal.Pulse();

    public static Task AuditAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string actor, string action, Guid? runId, string detailsJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit (at, actor, action, run_id, details) VALUES (@now, @actor, @action, @runId, CAST(@detailsJson AS jsonb))
            """, new { now, actor, action, runId, detailsJson }, transaction, cancellationToken: cancellationToken));
}
