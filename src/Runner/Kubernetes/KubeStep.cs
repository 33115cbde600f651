using System.Text.Json;
using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using k8s;
using Runner.Agent;

namespace Runner.Kubernetes;

/// <summary>Everything a Kubernetes step handler works with, for a <c>kubernetes</c> or a <c>gke</c> target alike.</summary>
internal sealed class KubeStep
{
    public KubeStep(StepClaim claim, IStepLog log, IKubernetes client, KubeOptions options)
    {
        Claim = claim;
        Log = log;
        Client = client;
        Options = options;
        Spec = claim.Spec.Deserialize<RolloutSpec>(ContractJson.Options) ?? new RolloutSpec();
        Manifests = new Manifests(Spec, claim.Revision);
    }

    public StepClaim Claim { get; }
    public IStepLog Log { get; }
    public IKubernetes Client { get; }
    public KubeOptions Options { get; }
    public RolloutSpec Spec { get; }
    public Manifests Manifests { get; }
    public KubeTarget Target => Manifests.Target;
    public string Namespace => Target.Namespace;
    public string Revision => Claim.Revision;

    public int? IntParameter(string name) =>
        Claim.Parameters[name] is JsonValue value && value.TryGetValue<int>(out var number) ? number : null;

    /// <summary>The environment's state as the orchestrator recorded it at claim time.</summary>
    public EnvironmentState State => EnvironmentStates.Of(Claim);

    /// <summary>Where the Service answers inside the cluster (what an in-cluster orchestrator relays to).</summary>
    public string FrontUrl => $"http://{Names.Service}.{Namespace}.svc.cluster.local:8000";
}
