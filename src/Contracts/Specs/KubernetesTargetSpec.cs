namespace Contracts.Specs;

public sealed record KubernetesTargetSpec
{
    public string Kubeconfig { get; init; } = "";
    public string Context { get; init; } = "";
    public string Namespace { get; init; } = "default";
    public string Bucket { get; init; } = "";
    /// <summary>A reference to the Hugging Face token (<c>file:///path</c> on the runner, or <c>secret://NAME</c>), never the token.</summary>
    public string HuggingFaceToken { get; init; } = "";
}
