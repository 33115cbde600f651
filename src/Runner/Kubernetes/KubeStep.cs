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
    public KubeStep(StepContext context, k8s.Kubernetes client, KubeOptions options)
    {
        Context = context;
        Client = client;
        Proxy = new PodProxy(client);
        Options = options;
        Manifests = new Manifests(context.Spec, context.Revision);
    }

    public StepContext Context { get; }
    public TimeProvider Time => Context.Time;
    public StepClaim Claim => Context.Claim;
    public IStepLog Log => Context.Log;
    public IKubernetes Client { get; }
    /// <summary>HTTP to the pods' ports through the API server (analyses use it).</summary>
    public PodProxy Proxy { get; }
    public KubeOptions Options { get; }
    public RolloutSpec Spec => Context.Spec;
    public Manifests Manifests { get; }
    public KubeTarget Target => Manifests.Target;
    public string Namespace => Target.Namespace;
    public string Revision => Claim.Revision;

    public int? IntParameter(string name) => Context.IntParameter(name);

    /// <summary>The environment's state as the orchestrator recorded it at claim time.</summary>
    public EnvironmentState State => Context.State;

    /// <summary>Where the Service answers inside the cluster (what an in-cluster orchestrator relays to).</summary>
    public string FrontUrl => $"http://{Names.Service}.{Namespace}.svc.cluster.local:{Names.HttpPort}";
}
