using Npgsql;

namespace EndToEnd.Tests.Dashboard;

/// <summary>
/// A run of 200 steps and 50,000 log lines written straight into the database, for the run page's load and follow
/// figures. Its steps need a label no runner has, so nothing claims them; one is running under a lease that lasts
/// the test, so the log stream stays open for the lines written while the page follows.
/// </summary>
internal static class PerfRun
{
    public const int Columns = 20;
    public const int Rows = 10;
    public const int Lines = 50_000;

    public static async Task<(Guid RunId, Guid RunningStep)> SeedAsync(string connectionString, string environment)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var runId = Guid.NewGuid();
        var rolloutId = Guid.NewGuid();
        await using (var command = new NpgsqlCommand("""
            INSERT INTO environments (name, target_kind) VALUES (@env, 'local');
            INSERT INTO rollouts (id, environment, version, revision, spec, trigger_kind, trigger_actor, created_at)
            VALUES (@rollout, @env, 1, 'r1', '{}'::jsonb, 'api', 'user:perf', now());
            INSERT INTO runs (id, rollout_id, environment, status, queue_seq, trigger_kind, trigger_actor, created_at, started_at)
            VALUES (@run, @rollout, @env, 'running', nextval('run_queue_seq'), 'api', 'user:perf', now(), now());
            """, connection))
        {
            command.Parameters.AddWithValue("env", environment);
            command.Parameters.AddWithValue("rollout", rolloutId);
            command.Parameters.AddWithValue("run", runId);
            await command.ExecuteNonQueryAsync();
        }
        Guid running = Guid.Empty;
        var batch = new NpgsqlBatch(connection);
        for (var c = 0; c < Columns; c++)
        {
            for (var r = 0; r < Rows; r++)
            {
                var id = Guid.NewGuid();
                var status = c < 10 ? "succeeded" : c == 10 && r == 0 ? "running" : c == 10 ? "succeeded" : "pending";
                if (status == "running") running = id;
                string[] deps = c == 0 ? [] : [Name(c - 1, r), Name(c - 1, (r + 1) % Rows)];
                var command = new NpgsqlBatchCommand("""
                    INSERT INTO steps (id, run_id, ordinal, name, kind, required_labels, depends_on, status, attempt, max_attempts,
                                       timeout_seconds, lease_token, lease_expires_at, started_at, finished_at)
                    VALUES (@id, @run, @ordinal, @name, 'test.noop', '{dashboard-perf}', @deps, @status, @attempt, 3, 3600,
                            CASE WHEN @status = 'running' THEN gen_random_uuid() END,
                            CASE WHEN @status = 'running' THEN now() + interval '1 hour' END,
                            CASE WHEN @status <> 'pending' THEN now() - interval '1 minute' END,
                            CASE WHEN @status = 'succeeded' THEN now() END)
                    """);
                command.Parameters.AddWithValue("id", id);
                command.Parameters.AddWithValue("run", runId);
                command.Parameters.AddWithValue("ordinal", c * Rows + r);
                command.Parameters.AddWithValue("name", Name(c, r));
                command.Parameters.AddWithValue("deps", deps);
                command.Parameters.AddWithValue("status", status);
                command.Parameters.AddWithValue("attempt", status == "pending" ? 0 : 1);
                batch.BatchCommands.Add(command);
            }
        }
        await batch.ExecuteNonQueryAsync();
        await using (var logs = new NpgsqlCommand("""
            INSERT INTO step_logs (step_id, attempt, sequence, at, text)
            SELECT s.id, 1, g, now(), 'line ' || g || ' of the seeded log: converting tensor ' || (g % 977) || ' of layer ' || (g % 32)
            FROM generate_series(1, @lines) g
            JOIN steps s ON s.run_id = @run AND s.ordinal = g % 110
            """, connection))
        {
            logs.Parameters.AddWithValue("lines", Lines);
            logs.Parameters.AddWithValue("run", runId);
            await logs.ExecuteNonQueryAsync();
        }
        return (runId, running);
    }

    /// <summary>Writes <paramref name="count"/> more lines of the running step, numbered from <paramref name="from"/>.</summary>
    public static async Task AppendAsync(NpgsqlConnection connection, Guid step, long from, int count)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO step_logs (step_id, attempt, sequence, at, text)
            SELECT @step, 1, 1000000 + g, now(), 'followed line ' || g FROM generate_series(@from, @to) g
            """, connection);
        command.Parameters.AddWithValue("step", step);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", from + count - 1);
        await command.ExecuteNonQueryAsync();
    }

    private static string Name(int column, int row) => $"step-{column:00}-{row}";
}
