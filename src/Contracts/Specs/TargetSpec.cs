namespace Contracts.Specs;

/// <summary>Where the engine runs; the settings of the chosen kind sit under its own name.</summary>
public sealed record TargetSpec
{
    /// <summary><c>local</c> (default), <c>kubernetes</c> or <c>gke</c>.</summary>
    public string Kind { get; init; } = TargetKinds.Local;
    public LocalTargetSpec? Local { get; init; }
    public KubernetesTargetSpec? Kubernetes { get; init; }
    public GkeTargetSpec? Gke { get; init; }
}
