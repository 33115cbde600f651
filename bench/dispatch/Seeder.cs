using Dapper;
using Npgsql;

namespace DispatchBench;

/// <summary>Arranges ready <c>noop</c> steps with SQL: <paramref name="runs"/> running runs, each in its own
/// environment (one active run per environment), each with independent steps.</summary>
public static class Seeder
{
    public static async Task SeedAsync(NpgsqlDataSource dataSource, string prefix, int runs, int stepsPerRun)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO environments (name, target_kind, next_version)
            SELECT @prefix || '-' || r, 'local', 2 FROM generate_series(1, @runs) r;
            INSERT INTO rollouts (id, environment, version, revision, spec, trigger_kind, created_at)
            SELECT md5(@prefix || r)::uuid, @prefix || '-' || r, 1, 'r1', '{}', 'api', now() FROM generate_series(1, @runs) r;
            INSERT INTO runs (id, rollout_id, environment, status, queue_seq, trigger_kind, created_at, started_at)
            SELECT md5(@prefix || 'run' || r)::uuid, md5(@prefix || r)::uuid, @prefix || '-' || r, 'running', nextval('run_queue_seq'), 'api', now(), now()
            FROM generate_series(1, @runs) r;
            INSERT INTO steps (id, run_id, ordinal, name, kind, status, max_attempts, timeout_seconds, ready_at, not_before)
            SELECT gen_random_uuid(), md5(@prefix || 'run' || r)::uuid, s, 'noop-' || s, 'noop', 'ready', 3, 60, now(), now() - interval '1 second'
            FROM generate_series(1, @runs) r, generate_series(1, @stepsPerRun) s;
            """, new { prefix, runs, stepsPerRun });
        // Thousands of runs and steps appear at once here, which a live database never sees; autovacuum would analyze
        // them within a minute, while the measurement starts at once.
        await connection.ExecuteAsync("ANALYZE environments, rollouts, runs, steps");
    }

    /// <summary>One ready step in an existing running run, committed with the NOTIFY the service itself would send.
    /// Returns the step id and the time of the commit.</summary>
    public static async Task<(Guid StepId, long CommittedAt)> AddReadyStepAsync(NpgsqlDataSource dataSource, Guid runId, int ordinal)
    {
        var stepId = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO steps (id, run_id, ordinal, name, kind, status, max_attempts, timeout_seconds, ready_at, not_before)
            VALUES (@stepId, @runId, @ordinal, 'probe-' || @ordinal, 'noop', 'ready', 3, 60, now(), now() - interval '1 second');
            SELECT pg_notify('orchestrator_steps_ready', '');
            """, new { stepId, runId, ordinal }, transaction);
        await transaction.CommitAsync();
        return (stepId, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    public static async Task<Guid> LatencyRunAsync(NpgsqlDataSource dataSource, string prefix)
    {
        await SeedAsync(dataSource, prefix, 1, 0);
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid>("SELECT md5(@run)::uuid", new { run = prefix + "run1" });
    }
}
