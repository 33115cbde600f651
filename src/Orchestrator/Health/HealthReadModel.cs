using Dapper;
using Npgsql;

namespace Orchestrator.Health;

/// <summary>Reads an environment's health for the API: raw samples for windows of at most
/// <see cref="MaxRawPoints"/> samples, else the finest rollup that fits.</summary>
public sealed class HealthReadModel(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const int MaxRawPoints = 2000;

    public async Task<HealthDto?> GetAsync(string environment, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var from = now - window;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var head = await connection.QuerySingleOrDefaultAsync<Head>(new CommandDefinition("""
            SELECT e.name AS Environment, e.health_interval_seconds AS IntervalSeconds, COALESCE(h.status, 'unknown') AS Status, h.since AS StatusSince,
                   h.reason AS Reason, h.last_sample_at AS LastSampleAt, w.runner_id AS RunnerId, r.name AS RunnerName, w.expires_at AS ExpiresAt,
                   (SELECT count(*) FROM health_samples s WHERE s.environment = e.name AND s.at >= @from) AS RawCount
            FROM environments e
            LEFT JOIN health_status h ON h.environment = e.name
            LEFT JOIN health_watches w ON w.environment = e.name AND w.expires_at > @now
            LEFT JOIN runners r ON r.id = w.runner_id
            WHERE e.name = @environment
            """, new { environment, from, now }, cancellationToken: cancellationToken));
        if (head is null) return null;

        var (resolution, points) = head.RawCount <= MaxRawPoints
            ? ("raw", await RawAsync(connection, environment, from, cancellationToken))
            : window <= TimeSpan.FromDays(2)
                ? ("1m", await RollupAsync(connection, environment, 60, from, cancellationToken))
                : ("5m", await RollupAsync(connection, environment, 300, from, cancellationToken));
        var transitions = (await connection.QueryAsync<(DateTime At, string From, string To, string? Reason)>(new CommandDefinition("""
            SELECT at, from_status, to_status, reason FROM health_transitions WHERE environment = @environment AND at >= @from ORDER BY at, id
            """, new { environment, from }, cancellationToken: cancellationToken)))
            .Select(t => new HealthTransitionDto(Utc(t.At), t.From, t.To, t.Reason)).ToList();
        var notifications = (await connection.QueryAsync<Delivery>(new CommandDefinition("""
            SELECT event_id AS EventId, event_kind AS Event, url AS Url, created_at AS CreatedAt, attempts AS Attempts, delivered_at AS DeliveredAt,
                   failed_at AS FailedAt, last_error AS LastError
            FROM notification_deliveries WHERE environment = @environment AND created_at >= @from ORDER BY created_at, id
            """, new { environment, from }, cancellationToken: cancellationToken)))
            .Select(d => new NotificationDeliveryDto(d.EventId, d.Event, new Uri(d.Url).Authority, Utc(d.CreatedAt), d.Attempts,
                d.DeliveredAt is { } at ? Utc(at) : null, d.FailedAt is { } f ? Utc(f) : null, d.LastError)).ToList();
        var watcher = head.RunnerId is { } id ? new HealthWatcherDto(id, head.RunnerName ?? "", Utc(head.ExpiresAt!.Value)) : null;
        return new HealthDto(head.Environment, head.Status, head.StatusSince is { } s ? Utc(s) : null, head.Reason,
            head.LastSampleAt is { } l ? Utc(l) : null, head.IntervalSeconds, watcher, resolution, points, transitions, notifications);
    }

    private static async Task<IReadOnlyList<HealthPointDto>> RawAsync(NpgsqlConnection connection, string environment, DateTimeOffset from, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<RawRow>(new CommandDefinition("""
            SELECT at AS At, healthcheck_ok AS HealthcheckOk, generate_ok AS GenerateOk, generate_latency_ms AS GenerateLatencyMs,
                   replicas_ready AS ReplicasReady, replicas_total AS ReplicasTotal, restarts AS Restarts, ttft_ms AS TtftMs, tpot_ms AS TpotMs,
                   queue_depth AS QueueDepth, tokens_per_second AS TokensPerSecond, revision AS Revision, error AS Error
            FROM health_samples WHERE environment = @environment AND at >= @from ORDER BY at, id
            """, new { environment, from }, cancellationToken: cancellationToken)))
        .Select(r => new HealthPointDto
        {
            At = Utc(r.At), Samples = 1, HealthcheckFailures = r.HealthcheckOk ? 0 : 1, GenerateFailures = r.GenerateOk ? 0 : 1,
            GenerateLatencyMs = r.GenerateLatencyMs, ReplicasReady = r.ReplicasReady, ReplicasTotal = r.ReplicasTotal, Restarts = r.Restarts,
            TtftMs = r.TtftMs, TpotMs = r.TpotMs, QueueDepth = r.QueueDepth, TokensPerSecond = r.TokensPerSecond, Revision = r.Revision, Error = r.Error,
        }).ToList();

    private static async Task<IReadOnlyList<HealthPointDto>> RollupAsync(
        NpgsqlConnection connection, string environment, int bucket, DateTimeOffset from, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<RollupRow>(new CommandDefinition("""
            SELECT bucket_start AS At, samples AS Samples, healthcheck_failures AS HealthcheckFailures, generate_failures AS GenerateFailures,
                   generate_latency_avg_ms AS GenerateLatencyMs, replicas_ready_min AS ReplicasReady, ttft_avg_ms AS TtftMs, tpot_avg_ms AS TpotMs,
                   queue_depth_avg AS QueueDepth, tokens_per_second_avg AS TokensPerSecond
            FROM health_rollups WHERE environment = @environment AND bucket_seconds = @bucket AND bucket_start >= @from ORDER BY bucket_start
            """, new { environment, bucket, from }, cancellationToken: cancellationToken)))
        .Select(r => new HealthPointDto
        {
            At = Utc(r.At), Samples = r.Samples, HealthcheckFailures = r.HealthcheckFailures, GenerateFailures = r.GenerateFailures,
            GenerateLatencyMs = r.GenerateLatencyMs, ReplicasReady = r.ReplicasReady, TtftMs = r.TtftMs, TpotMs = r.TpotMs, QueueDepth = r.QueueDepth,
            TokensPerSecond = r.TokensPerSecond,
        }).ToList();

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private sealed record Head
    {
        public string Environment { get; init; } = "";
        public int IntervalSeconds { get; init; }
        public string Status { get; init; } = "";
        public DateTime? StatusSince { get; init; }
        public string? Reason { get; init; }
        public DateTime? LastSampleAt { get; init; }
        public Guid? RunnerId { get; init; }
        public string? RunnerName { get; init; }
        public DateTime? ExpiresAt { get; init; }
        public long RawCount { get; init; }
    }

    private sealed record RawRow
    {
        public DateTime At { get; init; }
        public bool HealthcheckOk { get; init; }
        public bool GenerateOk { get; init; }
        public double? GenerateLatencyMs { get; init; }
        public int? ReplicasReady { get; init; }
        public int? ReplicasTotal { get; init; }
        public int? Restarts { get; init; }
        public double? TtftMs { get; init; }
        public double? TpotMs { get; init; }
        public double? QueueDepth { get; init; }
        public double? TokensPerSecond { get; init; }
        public string? Revision { get; init; }
        public string? Error { get; init; }
    }

    private sealed record RollupRow
    {
        public DateTime At { get; init; }
        public int Samples { get; init; }
        public int HealthcheckFailures { get; init; }
        public int GenerateFailures { get; init; }
        public double? GenerateLatencyMs { get; init; }
        public int? ReplicasReady { get; init; }
        public double? TtftMs { get; init; }
        public double? TpotMs { get; init; }
        public double? QueueDepth { get; init; }
        public double? TokensPerSecond { get; init; }
    }

    private sealed record Delivery
    {
        public Guid EventId { get; init; }
        public string Event { get; init; } = "";
        public string Url { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public int Attempts { get; init; }
        public DateTime? DeliveredAt { get; init; }
        public DateTime? FailedAt { get; init; }
        public string? LastError { get; init; }
    }
}
