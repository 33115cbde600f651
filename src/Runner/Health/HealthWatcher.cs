using System.Collections.Concurrent;
using Contracts.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Runner.Agent;

namespace Runner.Health;

/// <summary>
/// The runner's part of health tracking: holds watch leases on the served environments of its labels (of the target
/// kinds it has a probe for), probes each one on its interval where the target is reachable from here, and reports the
/// samples in batches at every renewal. A watch the orchestrator no longer lists, or whose samples come back stale, is
/// dropped at once; on shutdown every watch is handed back so another runner takes it without waiting for expiry.
/// The runner never touches PostgreSQL: all of it goes over the runner protocol.
/// </summary>
internal sealed class HealthWatcher(OrchestratorClient client, IEnumerable<IHealthProbe> probes, TimeProvider time, ILogger<HealthWatcher> logger)
    : BackgroundService
{
    private readonly Dictionary<string, IHealthProbe> _probes = probes.ToDictionary(p => p.TargetKind, StringComparer.Ordinal);
    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<HealthSample> _samples = new();

    /// <summary>The environments held now (for tests and the log).</summary>
    public IReadOnlyCollection<string> Held
    {
        get { lock (_watches) return _watches.Keys.ToList(); }
    }

    /// <summary>The leases held now and not yet expired: one holder per environment, so whatever acts on an environment
    /// because of its watch (the autoscaler) acts from one runner only.</summary>
    public IReadOnlyList<WatchLease> Leases
    {
        get
        {
            var now = time.GetUtcNow();
            lock (_watches) return _watches.Values.Select(w => w.Lease).Where(l => l.ExpiresAt > now).ToList();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (client.Token is null)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), time, stoppingToken);
                    continue;
                }
                var renewAfter = TimeSpan.FromSeconds(1);
                try
                {
                    var response = await client.WatchAsync(new WatchRequest { Kinds = _probes.Keys.ToList() }, stoppingToken);
                    Reconcile(response.Watches, stoppingToken);
                    await FlushAsync(stoppingToken);
                    renewAfter = TimeSpan.FromMilliseconds(response.RenewAfterMilliseconds);
                    backoff = new Backoff();
                }
                catch (Exception e) when (OrchestratorClient.IsTransient(e, stoppingToken) || e is OrchestratorException)
                {
                    // Cut off: the leases run out on the server and other runners take the environments; stop probing
                    // what this runner can no longer report, rather than keep probing blind.
                    logger.LogWarning("Health watch renewal failed: {Message}", e.Message);
                    renewAfter = backoff.Next();
                    DropExpired();
                }
                await Task.Delay(renewAfter, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await HandBackAsync();
    }

    private void Reconcile(IReadOnlyList<WatchLease> leases, CancellationToken stoppingToken)
    {
        lock (_watches)
        {
            var listed = leases.Select(l => l.Environment).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _watches.Keys.Where(e => !listed.Contains(e)).ToList()) Stop(gone);
            foreach (var lease in leases)
            {
                if (_watches.TryGetValue(lease.Environment, out var held) && held.Lease.WatchToken == lease.WatchToken)
                {
                    held.Lease = lease;
                    continue;
                }
                if (held is not null) Stop(lease.Environment);
                if (!_probes.TryGetValue(lease.TargetKind, out var probe)) continue;
                var watch = new Watch(lease, CancellationTokenSource.CreateLinkedTokenSource(stoppingToken));
                _watches[lease.Environment] = watch;
                watch.Loop = Task.Run(() => ProbeLoopAsync(watch, probe), CancellationToken.None);
                logger.LogInformation("Watching {Environment} every {Interval} s", lease.Environment, lease.IntervalSeconds);
            }
        }
    }

    private void DropExpired()
    {
        lock (_watches)
        {
            foreach (var expired in _watches.Where(w => w.Value.Lease.ExpiresAt <= time.GetUtcNow()).Select(w => w.Key).ToList()) Stop(expired);
        }
    }

    private void Stop(string environment)
    {
        if (!_watches.Remove(environment, out var watch)) return;
        watch.Stop.Cancel();
        logger.LogInformation("No longer watching {Environment}", environment);
    }

    private async Task ProbeLoopAsync(Watch watch, IHealthProbe probe)
    {
        var token = watch.Stop.Token;
        EngineMetricsDelta.Snapshot? previous = null;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var started = time.GetTimestamp();
                var lease = watch.Lease;
                var result = await probe.ProbeAsync(lease, previous, token);
                previous = result.Metrics ?? previous;
                if (!token.IsCancellationRequested) _samples.Enqueue(result.Sample);
                var wait = TimeSpan.FromSeconds(lease.IntervalSeconds) - time.GetElapsedTime(started);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, time, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Probing {Environment} stopped", watch.Lease.Environment);
        }
        finally
        {
            watch.Stop.Dispose();
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = new List<HealthSample>();
        while (batch.Count < 5000 && _samples.TryDequeue(out var sample)) batch.Add(sample);
        if (batch.Count == 0) return;
        ReportSamplesResponse response;
        try
        {
            response = await client.ReportSamplesAsync(new ReportSamplesRequest { Samples = batch }, cancellationToken);
        }
        catch
        {
            // Not acknowledged: the next renewal sends them again.
            foreach (var sample in batch) _samples.Enqueue(sample);
            throw;
        }
        if (response.Stale.Count == 0) return;
        lock (_watches)
        {
            foreach (var stale in response.Stale)
                if (_watches.TryGetValue(stale, out var watch) && batch.Any(s => s.Environment == stale && s.WatchToken == watch.Lease.WatchToken))
                    Stop(stale);
        }
    }

    private async Task HandBackAsync()
    {
        List<string> held;
        lock (_watches)
        {
            held = _watches.Keys.ToList();
            foreach (var environment in held) Stop(environment);
        }
        if (held.Count == 0 || client.Token is null) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await FlushAsync(timeout.Token);
            await client.WatchAsync(new WatchRequest { Release = held }, timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException || OrchestratorClient.IsTransient(e, timeout.Token) || e is OrchestratorException)
        {
            logger.LogWarning("Could not hand back the health watches ({Message}); they expire by themselves", e.Message);
        }
    }

    private sealed class Watch(WatchLease lease, CancellationTokenSource stop)
    {
        public WatchLease Lease { get; set; } = lease;
        public CancellationTokenSource Stop { get; } = stop;
        public Task? Loop { get; set; }
    }
}
