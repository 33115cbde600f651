using System.Text.Json;
using CloudTargets.Kubernetes;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using k8s;
using Runner.Kubernetes;

namespace Runner.Health;

/// <summary>
/// An environment served on a Kubernetes cluster, through the API server only (the runner may have no route to the
/// cluster's Services): the stable revision's pods (ready of wanted, container restarts), and through the pod proxy a
/// ready pod's <c>/healthcheck</c> and a one-token <c>/generate</c>, and every ready pod's <c>/metrics</c>. How the
/// cluster is reached is the target kind's: a cluster that cannot be reached, or whose API server fails, gives an
/// <see cref="HealthSample.Unobserved"/> sample (the environment is <c>unknown</c>, not <c>down</c>).
/// </summary>
internal abstract class ClusterHealthProbe(TimeProvider time) : IHealthProbe
{
    public abstract string TargetKind { get; }

    public async Task<ProbeResult> ProbeAsync(WatchLease lease, EngineMetricsDelta.Snapshot? previous, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var spec = lease.Spec.Deserialize<RolloutSpec>(ContractJson.Options) ?? new RolloutSpec();
        var stable = lease.State.StableRevision;
        var sample = new HealthSample { Environment = lease.Environment, WatchToken = lease.WatchToken, At = at, Revision = stable, ReplicasTotal = spec.Engine.Replicas };
        if (stable is null) return new ProbeResult(sample with { Error = "no stable revision" }, null);
        try
        {
            using var cluster = await ConnectAsync(spec, cancellationToken);
            return await PodsAsync(cluster, stable, sample, previous, cancellationToken);
        }
        catch (Exception e) when ((e is not OperationCanceledException || !cancellationToken.IsCancellationRequested) && Unreachable(e) is { } error)
        {
            return new ProbeResult(sample with { Error = error, Unobserved = true }, null);
        }
    }

    /// <summary>A client for the environment's cluster and its namespace; a cluster that cannot be had is a
    /// <see cref="ClusterUnreachableException"/> saying why.</summary>
    protected abstract Task<ClusterConnection> ConnectAsync(RolloutSpec spec, CancellationToken cancellationToken);

    /// <summary>What to report of a failure to reach the cluster or its API server; null for anything else (a bug, which
    /// the watcher logs).</summary>
    protected virtual string? Unreachable(Exception e) => e switch
    {
        ClusterUnreachableException => e.Message,
        HttpRequestException or k8s.Autorest.HttpOperationException => $"the Kubernetes API: {e.Message}",
        OperationCanceledException => "the Kubernetes API: no answer in time",
        _ => null,
    };

    private async Task<ProbeResult> PodsAsync(
        ClusterConnection cluster, string stable, HealthSample sample, EngineMetricsDelta.Snapshot? previous, CancellationToken cancellationToken)
    {
        var ns = cluster.Namespace;
        var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: RevisionPods.Selector(stable), cancellationToken: cancellationToken)).Items;
        var ready = pods.Where(RevisionPods.IsReady).ToList();
        sample = sample with { ReplicasReady = ready.Count, Restarts = pods.Sum(RevisionPods.Restarts) };
        if (ready.Count == 0) return new ProbeResult(sample with { Error = $"no ready pod of revision {stable} ({pods.Count} pods)" }, null);

        var proxy = new PodProxy(cluster.Client);
        using var http = proxy.CreateHttpClient();
        var front = proxy.BaseUrl(ns, ready[0].Metadata.Name, Names.HttpPort);
        var (healthcheck, error) = await ProbeCalls.HealthcheckAsync(http, front, cancellationToken);
        var generate = await ProbeCalls.GenerateAsync(http, front, cancellationToken);
        var texts = await ProbeCalls.MetricsAsync(http, ready.Select(p => proxy.BaseUrl(ns, p.Metadata.Name, Names.ServerPort)), cancellationToken);
        var snapshot = texts.Count > 0 ? EngineMetricsDelta.Read(texts, sample.At) : null;
        var figures = snapshot is null ? null : EngineMetricsDelta.Between(previous, snapshot, texts);
        var errors = new[] { error, generate.Ok ? null : $"/generate: {generate.Error}" }.OfType<string>().ToList();
        return new ProbeResult(sample with
        {
            HealthcheckOk = healthcheck,
            GenerateOk = generate.Ok,
            GenerateLatencyMs = generate.Ok ? generate.Milliseconds : null,
            TtftMs = figures?.TtftMs,
            TpotMs = figures?.TpotMs,
            QueueDepth = figures?.QueueDepth,
            SlotsUsedPercent = figures?.SlotsUsedPercent,
            TokensPerSecond = figures?.TokensPerSecond,
            Error = errors.Count == 0 ? null : string.Join("; ", errors),
        }, snapshot);
    }
}
