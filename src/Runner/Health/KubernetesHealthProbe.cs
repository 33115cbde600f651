using Contracts.Specs;
using Runner.Kubernetes;

namespace Runner.Health;

/// <summary>A <c>kubernetes</c> environment: its cluster reached through the spec's kubeconfig and context (or the
/// runner's in-cluster service account), as the <c>kubernetes</c> target's steps reach it.</summary>
internal sealed class KubernetesHealthProbe(TimeProvider time) : ClusterHealthProbe(time)
{
    public override string TargetKind => TargetKinds.Kubernetes;

    protected override Task<ClusterConnection> ConnectAsync(RolloutSpec spec, CancellationToken cancellationToken)
    {
        var target = spec.Target.Kubernetes ?? new KubernetesTargetSpec();
        return Task.FromResult(new ClusterConnection(new k8s.Kubernetes(KubernetesProvider.Configuration(target)), target.Namespace));
    }

    protected override string? Unreachable(Exception e) =>
        e is k8s.Exceptions.KubeConfigException ? $"the kubeconfig: {e.Message}" : base.Unreachable(e);
}
