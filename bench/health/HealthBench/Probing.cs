using Npgsql;

namespace HealthBench;

/// <summary>How the samples of a window came in: per environment per minute, the gaps between one environment's
/// consecutive probes (lateness), and how many said anything but healthy.</summary>
internal sealed record Probing(long Samples, long Environments, double PerEnvMinuteMin, double PerEnvMinuteAvg, double PerEnvMinuteMax,
    double GapP50, double GapP99, double GapMax, long NotHealthy, string Statuses)
{
    public static async Task<Probing> ReadAsync(NpgsqlDataSource db, DateTimeOffset from, DateTimeOffset to)
    {
        var minutes = (to - from).TotalMinutes;
        await using var command = db.CreateCommand("""
            WITH w AS (SELECT * FROM health_samples WHERE at >= @from AND at < @to),
                 per AS (SELECT environment, count(*) AS n FROM w GROUP BY environment),
                 gaps AS (SELECT extract(epoch FROM at - lag(at) OVER (PARTITION BY environment ORDER BY at))::float8 AS gap FROM w)
            SELECT (SELECT count(*) FROM w), (SELECT count(*) FROM per),
                   coalesce((SELECT min(n) FROM per), 0)::float8, coalesce((SELECT avg(n) FROM per), 0)::float8, coalesce((SELECT max(n) FROM per), 0)::float8,
                   coalesce((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) FROM gaps WHERE gap IS NOT NULL), 0),
                   coalesce((SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY gap) FROM gaps WHERE gap IS NOT NULL), 0),
                   coalesce((SELECT max(gap) FROM gaps), 0),
                   (SELECT count(*) FROM w WHERE NOT healthcheck_ok OR NOT generate_ok OR replicas_ready < replicas_total OR error IS NOT NULL),
                   coalesce((SELECT string_agg(status || ' ' || n, ', ' ORDER BY status) FROM (SELECT status, count(*) AS n FROM health_status GROUP BY status) s), '')
            """);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Probing(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2) / minutes, reader.GetDouble(3) / minutes, reader.GetDouble(4) / minutes,
            reader.GetDouble(5), reader.GetDouble(6), reader.GetDouble(7), reader.GetInt64(8), reader.GetString(9));
    }
}
