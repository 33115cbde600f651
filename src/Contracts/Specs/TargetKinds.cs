namespace Contracts.Specs;

public static class TargetKinds
{
    public const string Local = "local";
    public const string Kubernetes = "kubernetes";
    public const string Gke = "gke";

    public static readonly IReadOnlyList<string> All = [Local, Kubernetes, Gke];
}
