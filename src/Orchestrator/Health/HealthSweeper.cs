using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Orchestrator.Health;

/// <summary>
/// The orchestrator's side of health tracking, on every instance (each pass is safe to run twice at once):
/// an environment whose samples stopped for three intervals (nobody can watch it: no runner with its label, or every
/// one is cut off) or that no longer serves anything becomes <c>unknown</c>, never stays <c>healthy</c>; samples are
/// downsampled into 1-minute and 5-minute rollups and old rows deleted.
/// </summary>
public sealed class HealthSweeper(NpgsqlDataSource dataSource, HealthNotifications notifications, IOptions<HealthOptions> options, TimeProvider time,
    ILogger<HealthSweeper> logger) : BackgroundService
{
    private DateTimeOffset _lastDownsample = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.SweepIntervalMilliseconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await MarkUnknownAsync(stoppingToken);
                if (time.GetUtcNow() - _lastDownsample >= TimeSpan.FromSeconds(options.Value.DownsampleIntervalSeconds))
                {
                    await DownsampleAsync(stoppingToken);
                    _lastDownsample = time.GetUtcNow();
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Health sweep failed, trying again next pass: {Message}", e.Message);
            }
        }
    }

    public async Task MarkUnknownAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var silent = (await connection.QueryAsync<(string Environment, string Status, string Reason)>(new CommandDefinition("""
            SELECT h.environment, h.status,
                   CASE WHEN e.state->>'stableRevision' IS NULL THEN 'the environment serves nothing'
                        WHEN w.runner_id IS NULL OR w.expires_at <= @now THEN 'no runner holds its watch (none online with label ' || e.target_kind || '?)'
                        ELSE 'its watcher stopped reporting samples' END
            FROM health_status h JOIN environments e ON e.name = h.environment
            LEFT JOIN health_watches w ON w.environment = h.environment
            WHERE h.status <> 'unknown'
              AND (e.state->>'stableRevision' IS NULL
                   OR h.last_sample_at IS NULL
                   OR h.last_sample_at < @now - make_interval(secs => GREATEST(3, e.health_interval_seconds * 3)))
            FOR UPDATE OF h SKIP LOCKED
            """, new { now }, transaction, cancellationToken: cancellationToken))).ToList();
        foreach (var (environment, status, reason) in silent)
            await StatusChange.ApplyAsync(connection, transaction, notifications, environment, status, HealthStatuses.Unknown, reason, null, now, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM health_watches w USING environments e
            WHERE e.name = w.environment AND e.state->>'stableRevision' IS NULL AND w.expires_at <= @now
            """, new { now }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Recomputes the rollups of the last quarter hour (late batches land in them) and applies the retention.</summary>
    public async Task DownsampleAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var o = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var bucket in new[] { 60, 300 })
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO health_rollups (environment, bucket_seconds, bucket_start, samples, healthcheck_failures, generate_failures,
                                            generate_latency_avg_ms, generate_latency_max_ms, replicas_ready_min, ttft_avg_ms, tpot_avg_ms,
                                            queue_depth_avg, tokens_per_second_avg)
                SELECT environment, @bucket, to_timestamp(floor(extract(epoch FROM at) / @bucket) * @bucket) AS bucket_start, count(*),
                       count(*) FILTER (WHERE NOT healthcheck_ok), count(*) FILTER (WHERE NOT generate_ok),
                       avg(generate_latency_ms), max(generate_latency_ms), min(replicas_ready), avg(ttft_ms), avg(tpot_ms),
                       avg(queue_depth), avg(tokens_per_second)
                FROM health_samples
                WHERE at >= to_timestamp(floor(extract(epoch FROM @from::timestamptz) / @bucket) * @bucket)
                GROUP BY environment, bucket_start
                ON CONFLICT (environment, bucket_seconds, bucket_start) DO UPDATE SET
                    samples = EXCLUDED.samples, healthcheck_failures = EXCLUDED.healthcheck_failures, generate_failures = EXCLUDED.generate_failures,
                    generate_latency_avg_ms = EXCLUDED.generate_latency_avg_ms, generate_latency_max_ms = EXCLUDED.generate_latency_max_ms,
                    replicas_ready_min = EXCLUDED.replicas_ready_min, ttft_avg_ms = EXCLUDED.ttft_avg_ms, tpot_avg_ms = EXCLUDED.tpot_avg_ms,
                    queue_depth_avg = EXCLUDED.queue_depth_avg, tokens_per_second_avg = EXCLUDED.tokens_per_second_avg
                """, new { bucket, from = now.AddMinutes(-15) }, cancellationToken: cancellationToken));
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM health_samples WHERE at < @raw;
            DELETE FROM health_rollups WHERE bucket_seconds = 60 AND bucket_start < @minute;
            DELETE FROM health_rollups WHERE bucket_seconds = 300 AND bucket_start < @five;
            DELETE FROM health_transitions WHERE at < @five;
            DELETE FROM notification_deliveries WHERE created_at < @five AND (delivered_at IS NOT NULL OR failed_at IS NOT NULL);
            """, new { raw = now.AddHours(-o.RawRetentionHours), minute = now.AddDays(-o.MinuteRollupRetentionDays), five = now.AddDays(-o.FiveMinuteRollupRetentionDays) },
            cancellationToken: cancellationToken));
    }
}
