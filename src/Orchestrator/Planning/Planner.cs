using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Specs;

namespace Orchestrator.Planning;

/// <summary>
/// Turns a validated rollout spec and the environment's recorded state into the run's step graph. Pure: no I/O, so
/// <c>POST /api/plan</c> and the run that a rollout creates always agree.
/// </summary>
public static class Planner
{
    /// <param name="requireApproval">The environment gates every run: an <c>approval</c> step comes before all others.</param>
    public static IReadOnlyList<PlannedStep> Plan(RolloutSpec spec, EnvironmentState environmentState, bool requireApproval = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(environmentState);
        var graph = new GraphBuilder(spec.Target.Kind);
        IReadOnlyList<string> gate = requireApproval ? [graph.Add(StepKinds.Approval, [], new JsonObject { ["message"] = $"Approve the rollout of {spec.Model.Source} to {spec.Environment}" })] : [];
        var (beforeConvert, beforeDeploy) = AddTargetPreparation(graph, spec, gate);
        // model.load: server: the JetStream server downloads from Hugging Face itself (--model_id); nothing to convert.
        IReadOnlyList<string> preparation = [.. beforeConvert, .. beforeDeploy.Except(beforeConvert)];
        var last = spec.Model.Load == ModelSpec.LoadServer
            ? graph.Add(StepKinds.EngineDeploy, preparation.Count > 0 ? preparation : gate)
            : graph.Add(StepKinds.EngineDeploy, [graph.Add(StepKinds.CheckpointConvert, beforeConvert.Count == 0 ? gate : beforeConvert), .. beforeDeploy]);

        // A first rollout has nothing to compare with nor to roll back to: all traffic moves once the revision is live.
        var firstRollout = environmentState.StableRevision is null;
        IReadOnlyList<string> beforeFinalShift = [last];
        if (!firstRollout && spec.Strategy.Canary is { Steps.Count: > 0 } canary)
        {
            beforeFinalShift = AddCanary(graph, canary, last);
            // Runs only when the canary is aborted: never readied by dependencies (see RunTransitions.ReadySteps).
            graph.Add(StepKinds.RevisionRollback, []);
        }

        last = graph.Add(StepKinds.TrafficShift, beforeFinalShift, new JsonObject { ["weight"] = 100 });
        last = graph.Add(StepKinds.RevisionPromote, [last]);
        graph.Add(StepKinds.Cleanup, [last], new JsonObject { ["keepRevisions"] = spec.Cleanup.KeepRevisions });
        return graph.Steps;
    }

    // Returns the steps that checkpoint conversion waits for (none for local), and those the deployment waits for
    // beside the conversion; the first steps wait for the gate.
    private static (IReadOnlyList<string> Convert, IReadOnlyList<string> Deploy) AddTargetPreparation(GraphBuilder graph, RolloutSpec spec, IReadOnlyList<string> gate)
    {
        var target = spec.Target;
        switch (target.Kind)
        {
            case TargetKinds.Kubernetes:
                return ([graph.Add(StepKinds.SecretEnsure, gate)], []);
            case TargetKinds.Gke:
                var cluster = graph.Add(StepKinds.ClusterEnsure, gate);
                var standard = string.Equals(target.Gke?.Mode, "standard", StringComparison.Ordinal);
                var nodePool = standard ? graph.Add(StepKinds.NodePoolEnsure, [cluster]) : null;
                var bucket = graph.Add(StepKinds.BucketEnsure, gate);
                // Workload Identity needs the cluster's identity pool; the Secret needs the cluster's API server.
                var identity = graph.Add(StepKinds.IdentityEnsure, [cluster]);
                var secret = graph.Add(StepKinds.SecretEnsure, [cluster]);
                IReadOnlyList<string> onCluster = nodePool is null ? [identity, secret] : [nodePool, identity, secret];
                // The runner converts into the bucket with its own credentials while the cluster is being created; the
                // engine pods then need the nodes, the service account's access and the secret.
                if (GkeConversions.ByRunner(spec)) return ([bucket], onCluster);
                // The converter Job runs on TPU nodes, writes to the bucket as the service account, reads the secret.
                return (nodePool is null ? [bucket, identity, secret] : [nodePool, bucket, identity, secret], []);
            default:
                return ([], []);
        }
    }

    // Returns what the final traffic shift waits for: the last canary step, and the background analysis if any.
    private static IReadOnlyList<string> AddCanary(GraphBuilder graph, CanarySpec canary, string last)
    {
        string? background = null;
        foreach (var step in canary.Steps)
        {
            last = step switch
            {
                { Weight: { } weight } => graph.Add(StepKinds.TrafficShift, [last], new JsonObject { ["weight"] = weight }),
                { Pause: { Duration: { } pause } } when Durations.TryParse(pause, out var duration) =>
                    graph.Add(StepKinds.CanaryPause, [last], new JsonObject { ["seconds"] = (long)duration.TotalSeconds }),
                { Pause: not null } => graph.Add(StepKinds.CanaryPause, [last], new JsonObject { ["untilPromoted"] = true }),
                { Analysis: { } analysis } => graph.Add(StepKinds.CanaryAnalyze, [last], new JsonObject { ["analysis"] = Json(analysis) }, AnalysisTimeout(analysis)),
                { Approval: { } approval } => graph.Add(StepKinds.Approval, [last], new JsonObject { ["message"] = approval.Message }),
                _ => last,
            };
            // The background analysis starts with the canary's first step and watches it until its last.
            if (background is null && canary.BackgroundAnalysis is { } watching)
                background = graph.Add(StepKinds.CanaryAnalyze, [last], new JsonObject { ["analysis"] = Json(watching), ["background"] = true }, BackgroundTimeoutSeconds);
        }
        if (background is null) return [last];
        graph.SetParameter(background, "until", last);
        return [last, background];
    }

    // A background analysis lasts as long as its canary: the progress deadline, when set, ends a canary long before this.
    private const int BackgroundTimeoutSeconds = 7 * 24 * 3600;

    // Its measurements take count × interval; the step's attempt gets that and half again, and never less than the default.
    private static int AnalysisTimeout(AnalysisSpec analysis)
    {
        var longest = analysis.Metrics.Select(m => Durations.TryParse(m.Interval, out var i) ? i.TotalSeconds * (m.Count ?? 1) : 0).DefaultIfEmpty(0).Max();
        return (int)Math.Min(int.MaxValue / 2, Math.Max(StepTimeouts.For(StepKinds.CanaryAnalyze), (longest * 1.5) + 60));
    }

    private static JsonNode? Json(AnalysisSpec analysis) => JsonSerializer.SerializeToNode(analysis, ContractJson.Options);

    private sealed class GraphBuilder(string targetKind)
    {
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        public List<PlannedStep> Steps { get; } = [];

        public string Add(string kind, IReadOnlyList<string> dependsOn, JsonObject? parameters = null, int? timeoutSeconds = null)
        {
            var n = _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
            var name = n == 1 ? kind : $"{kind}-{n}";
            // Pauses and approvals are held by the orchestrator itself; no runner needs to match them.
            IReadOnlyList<string> labels = kind is StepKinds.CanaryPause or StepKinds.Approval ? [] : [targetKind];
            Steps.Add(new PlannedStep(name, kind, dependsOn, parameters ?? new JsonObject(), labels, timeoutSeconds ?? StepTimeouts.For(kind)));
            return name;
        }

        public void SetParameter(string step, string member, string value) =>
            Steps.Single(s => s.Name == step).Parameters[member] = value;
    }
}
