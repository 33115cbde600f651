namespace Contracts.Specs;

/// <summary>Mirrors the manual GKE procedure. <see cref="HuggingFaceToken"/> is a reference (<c>file:///path</c> or a stored secret's name), never the token.</summary>
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
}
