using System.Text.Json.Nodes;
using Contracts;
using Contracts.Specs;

namespace Orchestrator.Planning;

/// <summary>The plan of <c>POST /api/environments/{name}/teardown</c>: one step that deletes what the manual clean-up
/// deletes (for gke: the cluster, the service account and the bucket), run by a runner of the target's kind.</summary>
public static class TeardownPlan
{
    /// <summary>Deleting a GKE cluster takes minutes; the step may take up to an hour.</summary>
    public const int TimeoutSeconds = 3600;

    public static IReadOnlyList<PlannedStep> Plan(RolloutSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return [new PlannedStep(StepKinds.Teardown, StepKinds.Teardown, [], new JsonObject(), [spec.Target.Kind], TimeoutSeconds)];
    }
}
