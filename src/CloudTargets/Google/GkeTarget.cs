using Contracts.Specs;

namespace CloudTargets.Google;

/// <summary>The names a <c>gke</c> target's resources get, derived once from the spec so that every request and every
/// manifest agrees on them. Names are deterministic: the same spec always names the same resources, which is what makes
/// a repeated create an adoption instead of a duplicate.</summary>
public sealed record GkeTarget(GkeTargetSpec Spec, string Environment)
{
    public const string TpuPoolName = "tpu-pool";
    public const string DefaultPoolName = "default-pool";

    public string Project => Spec.Project;
    public string Region => Spec.Region;
    public string Zone => Spec.Location;

    /// <summary>The zones <c>nodepool.ensure</c> tries in order: <c>tpu.zones</c>, else the <c>location</c> alone.</summary>
    public IReadOnlyList<string> Zones => Spec.Tpu.Zones is { Count: > 0 } zones ? zones : [Spec.Location];

    public bool FlexStart => string.Equals(Spec.Tpu.Provisioning, TpuSpec.FlexStart, StringComparison.Ordinal);
    public bool Standard => string.Equals(Spec.Mode, "standard", StringComparison.Ordinal);
    public string ClusterName => string.IsNullOrEmpty(Spec.Cluster) ? Environment : Spec.Cluster;
    public string Bucket => string.IsNullOrEmpty(Spec.Bucket) ? $"{Project}-{Environment}" : Spec.Bucket;
    public string ServiceAccountId => Spec.ServiceAccount;
    public string ServiceAccountEmail => $"{ServiceAccountId}@{Project}.iam.gserviceaccount.com";
    public string WorkloadPool => $"{Project}.svc.id.goog";
    public string Namespace => Spec.Namespace;
    public string KubernetesServiceAccount => Spec.KubernetesServiceAccount;
    public string WorkloadIdentityMember => $"serviceAccount:{WorkloadPool}[{Namespace}/{KubernetesServiceAccount}]";

    /// <summary>Regional clusters: the control plane lives in the region, TPU nodes in the zone.</summary>
    public string LocationPath => $"projects/{Project}/locations/{Region}";
    public string ClusterPath => $"{LocationPath}/clusters/{ClusterName}";
    public string NodePoolPath => $"{ClusterPath}/nodePools/{TpuPoolName}";
    public string ServiceAccountPath => $"projects/{Project}/serviceAccounts/{ServiceAccountEmail}";

    public static GkeTarget From(RolloutSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new GkeTarget(spec.Target.Gke ?? new GkeTargetSpec(), spec.Environment);
    }
}
