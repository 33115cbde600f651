using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Dapper;
using Npgsql;
using Orchestrator.Dispatch;

namespace Orchestrator.Health;

/// <summary>
/// Watch leases: each served environment (one with a stable revision) is probed by exactly one runner whose labels
/// include its target kind. A call renews what the runner holds and takes every served environment whose lease has
/// expired (or was never held), in one statement under row locks, so two runners never hold one environment at once.
/// A lease lasts two thirds of the environment's interval and its holder renews every third of its shortest interval:
/// a dead holder's environments are taken by another runner's next call within one interval of its last renewal.
/// </summary>
public sealed class WatchLeases(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>At most this many environments are taken in one call, so that several runners share a large fleet.</summary>
    public const int MaxTakenPerCall = 500;

    /// <param name="kinds">The target kinds the runner may and can watch: its labels that it can probe.</param>
    public async Task<WatchResponse> RenewAsync(Guid runnerId, string[] kinds, IReadOnlyList<string> release, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (release.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE health_watches SET runner_id = NULL, watch_token = NULL, expires_at = '-infinity'
                WHERE runner_id = @runnerId AND environment = ANY(@release)
                """, new { runnerId, release = release.ToArray() }, transaction, cancellationToken: cancellationToken));
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO health_watches (environment)
            SELECT e.name FROM environments e
            WHERE e.state->>'stableRevision' IS NOT NULL AND e.target_kind = ANY(@kinds)
              AND NOT EXISTS (SELECT 1 FROM health_watches w WHERE w.environment = e.name)
            ON CONFLICT (environment) DO NOTHING
            """, new { kinds }, transaction, cancellationToken: cancellationToken));
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition("""
            WITH eligible AS (
                SELECT w.environment FROM health_watches w JOIN environments e ON e.name = w.environment
                WHERE e.state->>'stableRevision' IS NOT NULL AND e.target_kind = ANY(@kinds)
                  AND ((w.runner_id = @runnerId AND w.expires_at > @now) OR w.expires_at <= @now)
                ORDER BY (w.runner_id = @runnerId AND w.expires_at > @now) DESC, w.expires_at
                LIMIT (SELECT count(*) FROM health_watches WHERE runner_id = @runnerId AND expires_at > @now) + @maxTaken
                FOR UPDATE OF w SKIP LOCKED),
            renewed AS (
                UPDATE health_watches w
                SET watch_token = CASE WHEN w.runner_id = @runnerId AND w.expires_at > @now THEN w.watch_token ELSE gen_random_uuid() END,
                    acquired_at = CASE WHEN w.runner_id = @runnerId AND w.expires_at > @now THEN w.acquired_at ELSE @now END,
                    runner_id = @runnerId,
                    expires_at = @now + make_interval(secs => GREATEST(1.0, e.health_interval_seconds * 2.0 / 3.0))
                FROM environments e
                WHERE w.environment IN (SELECT environment FROM eligible) AND e.name = w.environment
                RETURNING w.environment, w.watch_token, w.expires_at, e.health_interval_seconds, e.target_kind, e.state::text AS state)
            SELECT r.environment AS Environment, r.watch_token AS WatchToken, r.expires_at AS ExpiresAt,
                   r.health_interval_seconds AS IntervalSeconds, r.target_kind AS TargetKind, r.state AS State,
                   (SELECT ro.spec::text FROM rollouts ro
                    WHERE ro.environment = r.environment AND ro.revision = (r.state::jsonb)->>'stableRevision'
                    ORDER BY ro.version DESC LIMIT 1) AS Spec
            FROM renewed r ORDER BY r.environment
            """, new { runnerId, kinds, now, maxTaken = MaxTakenPerCall }, transaction, cancellationToken: cancellationToken))).ToList();
        await transaction.CommitAsync(cancellationToken);

        var watches = rows.Select(r => new WatchLease
        {
            Environment = r.Environment,
            WatchToken = r.WatchToken,
            ExpiresAt = new DateTimeOffset(DateTime.SpecifyKind(r.ExpiresAt, DateTimeKind.Utc)),
            IntervalSeconds = r.IntervalSeconds,
            TargetKind = r.TargetKind,
            State = EnvironmentStateWrite.Parse(r.State),
            Spec = r.Spec is null ? new JsonObject() : JsonNode.Parse(r.Spec) as JsonObject ?? new JsonObject(),
        }).ToList();
        var shortest = watches.Count == 0 ? HealthSettingsDefaults.IdleRenewSeconds : watches.Min(w => w.IntervalSeconds);
        return new WatchResponse { Watches = watches, RenewAfterMilliseconds = Math.Max(200, shortest * 1000 / 3) };
    }

    private sealed record Row
    {
        public string Environment { get; init; } = "";
        public Guid WatchToken { get; init; }
        public DateTime ExpiresAt { get; init; }
        public int IntervalSeconds { get; init; }
        public string TargetKind { get; init; } = "";
        public string State { get; init; } = "{}";
        public string? Spec { get; init; }
    }
}

/// <summary>A runner that holds nothing asks again this often, so that a newly served environment is watched soon.</summary>
internal static class HealthSettingsDefaults
{
    public const int IdleRenewSeconds = 3;
}
