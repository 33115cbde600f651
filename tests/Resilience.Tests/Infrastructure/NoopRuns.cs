using Dapper;

namespace Resilience.Tests.Infrastructure;

/// <summary>
/// Runs of <c>noop</c> steps arranged with SQL, as the dispatch benchmark does: thousands of runs are affordable this
/// way, and they go through the real dispatcher, claims, leases and completion. Each run has its own environment (one
/// active run per environment) and two steps, the second depending on the first, so that the dispatcher must ready
/// the second after the first completes.
/// </summary>
public static class NoopRuns
{
    public static async Task<IReadOnlyList<Guid>> SeedAsync(TestDatabase database, string prefix, int runs, string[]? labels = null)
    {
        var ids = Enumerable.Range(0, runs).Select(_ => Guid.NewGuid()).ToArray();
        var envs = Enumerable.Range(0, runs).Select(i => $"{prefix}-{i}").ToArray();
        var rollouts = Enumerable.Range(0, runs).Select(_ => Guid.NewGuid()).ToArray();
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO environments (name, target_kind, next_version)
            SELECT e, 'local', 2 FROM unnest(@envs) e;
            INSERT INTO rollouts (id, environment, version, revision, spec, trigger_kind, created_at)
            SELECT r, e, 1, 'r1', '{}', 'api', now() FROM unnest(@rollouts, @envs) AS t(r, e);
            INSERT INTO runs (id, rollout_id, environment, status, queue_seq, trigger_kind, created_at, started_at)
            SELECT id, r, e, 'running', nextval('run_queue_seq'), 'api', now(), now() FROM unnest(@ids, @rollouts, @envs) AS t(id, r, e);
            INSERT INTO steps (id, run_id, ordinal, name, kind, status, required_labels, max_attempts, timeout_seconds, ready_at, not_before)
            SELECT gen_random_uuid(), id, 1, 'noop-1', 'noop', 'ready', @labels, 5, 60, now(), now() - interval '1 second' FROM unnest(@ids) id;
            INSERT INTO steps (id, run_id, ordinal, name, kind, status, required_labels, depends_on, max_attempts, timeout_seconds)
            SELECT gen_random_uuid(), id, 2, 'noop-2', 'noop', 'pending', @labels, '{noop-1}', 5, 60 FROM unnest(@ids) id;
            SELECT pg_notify('orchestrator_steps_ready', '');
            """, new { envs, rollouts, ids, labels = labels ?? ["local"] }, transaction);
        await transaction.CommitAsync();
        await connection.ExecuteAsync("ANALYZE environments, rollouts, runs, steps");
        return ids;
    }

    /// <summary>How many of <paramref name="ids"/> are not in a final state yet.</summary>
    public static Task<int> UnfinishedAsync(TestDatabase database, IReadOnlyCollection<Guid> ids) =>
        database.ScalarAsync<int>("SELECT count(*)::int FROM runs WHERE id = ANY(@ids) AND status NOT IN ('succeeded', 'failed', 'cancelled')", new { ids = ids.ToArray() });

    public static async Task<IReadOnlyDictionary<string, int>> StatusesAsync(TestDatabase database, IReadOnlyCollection<Guid> ids) =>
        (await database.QueryAsync<(string Status, int Count)>("SELECT status, count(*)::int FROM runs WHERE id = ANY(@ids) GROUP BY status", new { ids = ids.ToArray() }))
        .ToDictionary(r => r.Status, r => r.Count);

    /// <summary>Losses: runs not final, succeeded runs with a step that did not succeed, and steps still holding a
    /// lease or waiting in a final run. Each comes back as a line naming it.</summary>
    public static async Task<IReadOnlyList<string>> LossesAsync(TestDatabase database, IReadOnlyCollection<Guid> ids)
    {
        var rows = await database.QueryAsync<string>("""
            SELECT 'run ' || r.id || ' is ' || r.status FROM runs r WHERE r.id = ANY(@ids) AND r.status NOT IN ('succeeded', 'failed', 'cancelled')
            UNION ALL
            SELECT 'succeeded run ' || s.run_id || ' has step ' || s.name || ' ' || s.status FROM steps s JOIN runs r ON r.id = s.run_id
            WHERE r.id = ANY(@ids) AND r.status = 'succeeded' AND s.status <> 'succeeded'
            UNION ALL
            SELECT 'final run ' || s.run_id || ' (' || r.status || ') has step ' || s.name || ' ' || s.status FROM steps s JOIN runs r ON r.id = s.run_id
            WHERE r.id = ANY(@ids) AND r.status IN ('succeeded', 'failed', 'cancelled') AND s.status IN ('running', 'ready')
            """, new { ids = ids.ToArray() });
        return rows;
    }

    public static async Task WaitAllFinalAsync(TestDatabase database, IReadOnlyCollection<Guid> ids, TimeSpan timeout, Func<string> diagnostics)
    {
        var left = -1;
        await Eventually.Async(async () =>
        {
            left = await UnfinishedAsync(database, ids);
            return left == 0;
        }, timeout, () => $"{left} of {ids.Count} runs not final\n{diagnostics()}");
    }
}
