namespace Contracts.Specs;

public sealed record KubernetesTargetSpec
{
    public string Kubeconfig { get; init; } = "";
    public string Context { get; init; } = "";
    public string Namespace { get; init; } = "default";
    public string Bucket { get; init; } = "";
    public string HuggingFaceToken { get; init; } = "";
}
