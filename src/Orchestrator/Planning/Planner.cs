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
    public static IReadOnlyList<PlannedStep> Plan(RolloutSpec spec, JsonObject environmentState)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(environmentState);
        var graph = new GraphBuilder(spec.Target.Kind);
        var prerequisites = AddTargetPreparation(graph, spec.Target);
        var convert = graph.Add(StepKinds.CheckpointConvert, prerequisites);
        var last = graph.Add(StepKinds.EngineDeploy, [convert]);

        var firstRollout = environmentState["stableRevision"] is null;
        if (!firstRollout && spec.Strategy.Canary is { } canary)
            last = AddCanary(graph, canary, last);

        last = graph.Add(StepKinds.TrafficShift, [last], new JsonObject { ["weight"] = 100 });
        last = graph.Add(StepKinds.RevisionPromote, [last]);
        graph.Add(StepKinds.Cleanup, [last], new JsonObject { ["keepRevisions"] = spec.Cleanup.KeepRevisions });
        return graph.Steps;
    }

    // Returns the steps that checkpoint conversion waits for (none for local).
    private static IReadOnlyList<string> AddTargetPreparation(GraphBuilder graph, TargetSpec target)
    {
        switch (target.Kind)
        {
            case TargetKinds.Kubernetes:
                return [graph.Add(StepKinds.SecretEnsure, [])];
            case TargetKinds.Gke:
                var cluster = graph.Add(StepKinds.ClusterEnsure, []);
                var standard = string.Equals(target.Gke?.Mode, "standard", StringComparison.Ordinal);
                var nodePool = standard ? graph.Add(StepKinds.NodePoolEnsure, [cluster]) : null;
                var bucket = graph.Add(StepKinds.BucketEnsure, []);
                // Workload Identity needs the cluster's identity pool; the Secret needs the cluster's API server.
                var identity = graph.Add(StepKinds.IdentityEnsure, [cluster]);
                var secret = graph.Add(StepKinds.SecretEnsure, [cluster]);
                // The converter Job runs on TPU nodes, writes to the bucket as the service account, reads the secret.
                return nodePool is null ? [bucket, identity, secret] : [nodePool, bucket, identity, secret];
            default:
                return [];
        }
    }

    private static string AddCanary(GraphBuilder graph, CanarySpec canary, string last)
    {
        foreach (var step in canary.Steps)
        {
            if (step.Weight is { } weight)
                last = graph.Add(StepKinds.TrafficShift, [last], new JsonObject { ["weight"] = weight });
            else if (step.Pause is { Duration: { } pause } && Durations.TryParse(pause, out var duration))
                last = graph.Add(StepKinds.CanaryPause, [last], new JsonObject { ["seconds"] = (long)duration.TotalSeconds });
            else if (step.Analysis is { } analysis)
                last = graph.Add(StepKinds.CanaryAnalyze, [last], new JsonObject
                {
                    ["analysis"] = System.Text.Json.JsonSerializer.SerializeToNode(analysis, ContractJson.Options),
                });
        }
        return last;
    }

    private sealed class GraphBuilder(string targetKind)
    {
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        public List<PlannedStep> Steps { get; } = [];

        public string Add(string kind, IReadOnlyList<string> dependsOn, JsonObject? parameters = null)
        {
            var n = _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
            var name = n == 1 ? kind : $"{kind}-{n}";
            // canary.pause is timed by the orchestrator itself; no runner needs to match it.
            IReadOnlyList<string> labels = kind == StepKinds.CanaryPause ? [] : [targetKind];
            Steps.Add(new PlannedStep(name, kind, dependsOn, parameters ?? new JsonObject(), labels, StepTimeouts.For(kind)));
            return name;
        }
    }
}
