using System.Text.Json.Nodes;

namespace Orchestrator.Rollouts;

/// <param name="Requests">gke/kubernetes targets: the cloud calls as <c>{method, url, body}</c> exactly as sent.</param>
/// <param name="Manifests">gke/kubernetes targets: the Kubernetes objects the step applies, secrets redacted.</param>
public sealed record PlanStepDto(
    string Name, string Kind, IReadOnlyList<string> DependsOn, JsonObject Parameters, JsonArray? Requests = null, JsonArray? Manifests = null);
