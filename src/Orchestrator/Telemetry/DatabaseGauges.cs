using Contracts;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Dispatch;
using Orchestrator.Health;

namespace Orchestrator.Telemetry;

/// <summary>
/// Sets the gauges that are the database's state (runs, the queue, runners online, health) just before a scrape, so that
/// any instance answers for all of them. Reads at most once per <see cref="TelemetryOptions.GaugeRefreshMilliseconds"/>
/// however often it is scraped; a failed read is logged, leaves the last values and sets
/// <c>orchestrator_metrics_database_up</c> to 0 rather than failing the scrape.
/// </summary>
public sealed partial class DatabaseGauges(
    NpgsqlDataSource dataSource, OrchestratorMetrics metrics, TimeProvider time, IOptions<DispatchOptions> dispatch,
    IOptions<TelemetryOptions> options, ILogger<DatabaseGauges> logger)
{
    private static readonly string[] HealthStatusNames = [HealthStatuses.Healthy, HealthStatuses.Degraded, HealthStatuses.Down, HealthStatuses.Unknown];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<(string Status, string Trigger)> _runSeries = [];
    private readonly HashSet<string> _environments = new(StringComparer.Ordinal);
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public async Task CollectAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (now - _readAt < TimeSpan.FromMilliseconds(options.Value.GaugeRefreshMilliseconds)) return;
            await ReadAsync(now, cancellationToken);
            _readAt = now;
            metrics.DatabaseUp.Set(1);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogReadFailed(e.Message);
            metrics.DatabaseUp.Set(0);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ReadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var o = dispatch.Value;
        var horizon = now.AddSeconds(-(o.MaxClaimWaitSeconds + (2 * o.LeaseSeconds)));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition($"""
            SELECT status AS Status, trigger_kind AS Trigger, count(*) AS Count FROM runs GROUP BY status, trigger_kind;
            SELECT count(*) AS Depth, min(GREATEST(ready_at, not_before)) AS Oldest FROM steps
            WHERE status = '{StepStatuses.Ready}' AND kind <> '{StepKinds.CanaryPause}' AND not_before <= @now;
            SELECT count(*) FROM runners WHERE removed_at IS NULL AND last_seen_at >= @horizon;
            SELECT environment AS Environment, status AS Status FROM health_status;
            """, new { now, horizon }, cancellationToken: cancellationToken));
        var runs = (await results.ReadAsync<(string Status, string Trigger, long Count)>()).ToList();
        var queue = await results.ReadSingleAsync<(long Depth, DateTime? Oldest)>();
        var online = await results.ReadSingleAsync<long>();
        var health = (await results.ReadAsync<(string Environment, string Status)>()).ToList();

        // A combination seen once stays, at 0 when it has no runs left, so that its series does not just vanish.
        foreach (var series in _runSeries) metrics.Runs.WithLabels(series.Status, series.Trigger).Set(0);
        foreach (var (status, trigger, count) in runs)
        {
            _runSeries.Add((status, trigger));
            metrics.Runs.WithLabels(status, trigger).Set(count);
        }
        metrics.QueueDepth.Set(queue.Depth);
        metrics.OldestReadyAge.Set(queue.Oldest is { } oldest ? Math.Max(0, (now - new DateTimeOffset(DateTime.SpecifyKind(oldest, DateTimeKind.Utc))).TotalSeconds) : 0);
        metrics.RunnersOnline.Set(online);
        SetHealth(health);
    }

    private void SetHealth(List<(string Environment, string Status)> health)
    {
        var current = health.Select(h => h.Environment).ToHashSet(StringComparer.Ordinal);
        // An environment that was deleted has no health any more: its series go.
        foreach (var gone in _environments.Where(e => !current.Contains(e)).ToList())
        {
            foreach (var status in HealthStatusNames) metrics.EnvironmentHealth.RemoveLabelled(gone, status);
            _environments.Remove(gone);
        }
        foreach (var (environment, status) in health)
        {
            _environments.Add(environment);
            foreach (var name in HealthStatusNames) metrics.EnvironmentHealth.WithLabels(environment, name).Set(name == status ? 1 : 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics: the gauges could not be read from the database: {Error}")]
    private partial void LogReadFailed(string error);
}
