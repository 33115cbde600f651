namespace Contracts.Specs;

/// <summary>Mirrors the manual GKE procedure. <see cref="HuggingFaceToken"/> is a reference (<c>file:///path</c> on the runner, or <c>secret://NAME</c>: a secret stored in the orchestrator), never the token.</summary>
public sealed record GkeTargetSpec
{
    public string Project { get; init; } = "";
    public string Region { get; init; } = "";
    public string Location { get; init; } = "";
    public string Cluster { get; init; } = "";
    public string Mode { get; init; } = "autopilot";
    public string ClusterVersion { get; init; } = "";
    public string Bucket { get; init; } = "";
    public TpuSpec Tpu { get; init; } = new();
    public string ServiceAccount { get; init; } = "wi-jetstream";
    public string Namespace { get; init; } = "default";
    public string KubernetesServiceAccount { get; init; } = "default";
    public string HuggingFaceToken { get; init; } = "";

    /// <summary>Who converts the checkpoint: <c>runner</c> (the runner converts with our converter into the bucket while
    /// the cluster and node pool are still being created) or <c>cluster</c> (the procedure's converter Job on the TPU
    /// nodes, after them). Empty: <c>runner</c>, except for Gemma, which only the Job can convert.</summary>
    public string Conversion { get; init; } = "";
}
