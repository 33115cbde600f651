using Dapper;
using Npgsql;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>Arranges rows with SQL, as Hangfire.PostgreSql's tests do: a running run of N ready <c>noop</c> steps, or a
/// queued one of N pending steps.</summary>
public static class Seed
{
    public static async Task<Guid> RunWithReadyNoopStepsAsync(NpgsqlDataSource dataSource, int count, string environment = "local")
    {
        var runId = Guid.NewGuid();
        var rolloutId = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO environments (name, target_kind) VALUES (@environment, 'local') ON CONFLICT DO NOTHING;
            UPDATE environments SET next_version = next_version + 1 WHERE name = @environment;
            INSERT INTO rollouts (id, environment, version, revision, spec, trigger_kind, created_at)
            SELECT @rolloutId, @environment, next_version - 1, 'r' || (next_version - 1), '{}', 'api', now() FROM environments WHERE name = @environment;
            INSERT INTO runs (id, rollout_id, environment, status, queue_seq, trigger_kind, created_at, started_at)
            VALUES (@runId, @rolloutId, @environment, 'running', nextval('run_queue_seq'), 'api', now(), now());
            INSERT INTO steps (id, run_id, ordinal, name, kind, status, max_attempts, timeout_seconds, ready_at, not_before)
            SELECT gen_random_uuid(), @runId, i, 'noop-' || i, 'noop', 'ready', 3, 60, now(), now() - interval '1 second'
            FROM generate_series(1, @count) AS i;
            """, new { runId, rolloutId, environment, count });
        return runId;
    }

    /// <summary>A queued run of <paramref name="count"/> pending <c>noop</c> steps without dependencies, each needing
    /// <paramref name="requiredLabels"/>.</summary>
    public static async Task<Guid> QueuedRunWithPendingNoopStepsAsync(NpgsqlDataSource dataSource, int count, string environment, params string[] requiredLabels)
    {
        var runId = Guid.NewGuid();
        var rolloutId = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO environments (name, target_kind) VALUES (@environment, 'local') ON CONFLICT DO NOTHING;
            UPDATE environments SET next_version = next_version + 1 WHERE name = @environment;
            INSERT INTO rollouts (id, environment, version, revision, spec, trigger_kind, created_at)
            SELECT @rolloutId, @environment, next_version - 1, 'r' || (next_version - 1), '{}', 'api', now() FROM environments WHERE name = @environment;
            INSERT INTO runs (id, rollout_id, environment, status, queue_seq, trigger_kind, created_at)
            VALUES (@runId, @rolloutId, @environment, 'queued', nextval('run_queue_seq'), 'api', now());
            INSERT INTO steps (id, run_id, ordinal, name, kind, required_labels, status, max_attempts, timeout_seconds)
            SELECT gen_random_uuid(), @runId, i, 'noop-' || i, 'noop', @requiredLabels, 'pending', 3, 60
            FROM generate_series(1, @count) AS i;
            """, new { runId, rolloutId, environment, count, requiredLabels });
        return runId;
    }
}
