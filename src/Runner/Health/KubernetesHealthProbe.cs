using System.Text.Json;
using CloudTargets.Kubernetes;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using k8s;
using Runner.Analysis;
using Runner.Kubernetes;

namespace Runner.Health;

/// <summary>
/// A <c>kubernetes</c> environment, through the API server only (the runner may have no route to the cluster's
/// Services): the stable revision's pods (ready of wanted, container restarts), and through the pod proxy a ready pod's
/// <c>/healthcheck</c> and a one-token <c>/generate</c>, and every ready pod's <c>/metrics</c>.
/// </summary>
internal sealed class KubernetesHealthProbe(TimeProvider time) : IHealthProbe
{
    public string TargetKind => TargetKinds.Kubernetes;

    public async Task<ProbeResult> ProbeAsync(WatchLease lease, EngineMetricsDelta.Snapshot? previous, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var spec = lease.Spec.Deserialize<RolloutSpec>(ContractJson.Options) ?? new RolloutSpec();
        var target = spec.Target.Kubernetes ?? new KubernetesTargetSpec();
        var stable = lease.State.StableRevision;
        var sample = new HealthSample { Environment = lease.Environment, WatchToken = lease.WatchToken, At = at, Revision = stable, ReplicasTotal = spec.Engine.Replicas };
        if (stable is null) return new ProbeResult(sample with { Error = "no stable revision" }, null);
        try
        {
            using var client = new k8s.Kubernetes(KubernetesProvider.Configuration(target));
            var pods = (await client.CoreV1.ListNamespacedPodAsync(target.Namespace, labelSelector: RevisionPods.Selector(stable), cancellationToken: cancellationToken)).Items;
            var ready = pods.Where(RevisionPods.IsReady).ToList();
            sample = sample with { ReplicasReady = ready.Count, Restarts = pods.Sum(RevisionPods.Restarts) };
            if (ready.Count == 0) return new ProbeResult(sample with { Error = $"no ready pod of revision {stable} ({pods.Count} pods)" }, null);

            var proxy = new PodProxy(client);
            using var http = proxy.CreateHttpClient();
            var front = proxy.BaseUrl(target.Namespace, ready[0].Metadata.Name, Names.HttpPort);
            var (healthcheck, error) = await ProbeCalls.HealthcheckAsync(http, front, cancellationToken);
            var generate = await ProbeCalls.GenerateAsync(http, front, cancellationToken);
            var texts = await ProbeCalls.MetricsAsync(http, ready.Select(p => proxy.BaseUrl(target.Namespace, p.Metadata.Name, Names.ServerPort)), cancellationToken);
            var snapshot = texts.Count > 0 ? EngineMetricsDelta.Read(texts, at) : null;
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
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or k8s.Exceptions.KubeConfigException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ProbeResult(sample with { Error = $"the Kubernetes API: {e.Message}", Unobserved = true }, null);
        }
    }
}
