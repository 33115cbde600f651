using CloudTargets.Google;
using Contracts.Specs;

namespace CloudTargets.Kubernetes;

/// <summary>What the Kubernetes steps need from either a <c>kubernetes</c> or a <c>gke</c> target.</summary>
public sealed record KubeTarget(string Namespace, string Bucket, string ServiceAccount, string HuggingFaceToken, string? GcpServiceAccountEmail)
{
    public static KubeTarget From(RolloutSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Target.Kind == TargetKinds.Gke)
        {
            var gke = GkeTarget.From(spec);
            return new KubeTarget(gke.Namespace, gke.Bucket, gke.KubernetesServiceAccount, gke.Spec.HuggingFaceToken, gke.ServiceAccountEmail);
        }

        var kube = spec.Target.Kubernetes ?? new KubernetesTargetSpec();
        return new KubeTarget(kube.Namespace, kube.Bucket, "default", kube.HuggingFaceToken, null);
    }
}
