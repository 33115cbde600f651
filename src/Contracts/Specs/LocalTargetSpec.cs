namespace Contracts.Specs;

/// <summary>
/// The embedded default: engine processes on the runner's own machine. Directories left empty are the runner's
/// configured defaults (its artifacts and state directories).
/// </summary>
public sealed record LocalTargetSpec
{
    /// <summary>Port of the weighted HTTP front that serves the JetStream API for this environment.</summary>
    public int FrontPort { get; init; } = 8000;
    /// <summary>First port handed to engine replicas; replicas take the ports after it.</summary>
    public int EngineBasePort { get; init; } = 9100;
    public string ArtifactsDir { get; init; } = "";
    /// <summary>Where the runner reads the Hugging Face token for an <c>hf://</c> source: a reference
    /// (<c>file:///path</c> on the runner, or <c>secret://NAME</c>: a secret stored in the orchestrator), never the token.
    /// Empty for public models.</summary>
    public string HuggingFaceToken { get; init; } = "";
}
