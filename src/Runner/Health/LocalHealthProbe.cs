using System.Text.Json;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using Runner.Agent;
using Runner.Analysis;
using Runner.Local;

namespace Runner.Health;

/// <summary>A local environment: its front's <c>/healthcheck</c> and a one-token <c>/generate</c> through the front (what a
/// client sees), the stable revision's recorded replicas (answering their healthcheck, of wanted) and their <c>/metrics</c>.</summary>
internal sealed class LocalHealthProbe(RunnerOptions options, EngineProbe engines, TimeProvider time) : IHealthProbe
{
    public string TargetKind => TargetKinds.Local;

    public async Task<ProbeResult> ProbeAsync(WatchLease lease, EngineMetricsDelta.Snapshot? previous, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var spec = lease.Spec.Deserialize<RolloutSpec>(ContractJson.Options) ?? new RolloutSpec();
        var stable = lease.State.StableRevision;
        var front = lease.State.FrontUrl;
        var errors = new List<string>();
        var healthcheck = false;
        EngineCalls.Answer? generate = null;
        if (front is null) errors.Add("no front URL recorded");
        else
        {
            var (ok, error) = await ProbeCalls.HealthcheckAsync(engines.Http, front, cancellationToken);
            healthcheck = ok;
            if (error is not null) errors.Add($"front {error}");
            generate = await ProbeCalls.GenerateAsync(engines.Http, front, cancellationToken);
            if (!generate.Ok) errors.Add($"front /generate: {generate.Error}");
        }

        var layout = new LocalLayout(options.StateDir, lease.Environment);
        // Ready as Kubernetes would say it: the replica's recorded port answers /healthcheck (a process that is
        // alive but does not answer is not ready; an engine restarted on its port is).
        var running = new List<string>();
        foreach (var url in stable is null ? [] : Replicas.Recorded(layout, stable).Select(Replicas.Url).Distinct())
            if (await engines.IsLiveAsync(url, cancellationToken)) running.Add(url);
        var texts = await ProbeCalls.MetricsAsync(engines.Http, running, cancellationToken);
        var snapshot = texts.Count > 0 ? EngineMetricsDelta.Read(texts, at) : null;
        var figures = snapshot is null ? null : EngineMetricsDelta.Between(previous, snapshot, texts);
        var sample = new HealthSample
        {
            Environment = lease.Environment,
            WatchToken = lease.WatchToken,
            At = at,
            Revision = stable,
            HealthcheckOk = healthcheck,
            GenerateOk = generate?.Ok == true,
            GenerateLatencyMs = generate is { Ok: true } g ? g.Milliseconds : null,
            // An autoscaled revision wants what the autoscaler last gave it, not its starting count.
            ReplicasTotal = spec.Engine.Autoscaling is null || stable is null ? spec.Engine.Replicas : Math.Max(1, Replicas.Recorded(layout, stable).Count),
            ReplicasReady = running.Count,
            TtftMs = figures?.TtftMs,
            TpotMs = figures?.TpotMs,
            QueueDepth = figures?.QueueDepth,
            SlotsUsedPercent = figures?.SlotsUsedPercent,
            TokensPerSecond = figures?.TokensPerSecond,
            Error = errors.Count == 0 ? null : string.Join("; ", errors),
        };
        return new ProbeResult(sample, snapshot);
    }
}
