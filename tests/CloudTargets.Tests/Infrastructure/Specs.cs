using Contracts.Specs;

namespace CloudTargets.Tests.Infrastructure;

internal static class Specs
{
    public const string Project = "demo-project";
    public const string Region = "us-west4";
    public const string Zone = "us-west4-a";
    public const string Cluster = "jetstream";
    public const string Bucket = "demo-project-jetstream";

    public static RolloutSpec Gke(string tokenFile, string mode = "standard", Func<GkeTargetSpec, GkeTargetSpec>? change = null)
    {
        var gke = new GkeTargetSpec
        {
            Project = Project,
            Region = Region,
            Location = Zone,
            Cluster = Cluster,
            Mode = mode,
            Bucket = Bucket,
            HuggingFaceToken = new Uri(tokenFile).AbsoluteUri,
        };
        return new RolloutSpec
        {
            Environment = "prod-us-west4",
            Model = new ModelSpec { Family = "gemma", Size = "7b", Source = "hf://google/gemma-7b-it-pytorch@main" },
            Target = new TargetSpec { Kind = TargetKinds.Gke, Gke = change is null ? gke : change(gke) },
        };
    }

    public static RolloutSpec Kubernetes(string kubeconfig, string tokenFile) => new()
    {
        Environment = "staging",
        Model = new ModelSpec { Family = "gemma", Size = "7b", Source = "hf://google/gemma-7b-it-pytorch@main" },
        Target = new TargetSpec
        {
            Kind = TargetKinds.Kubernetes,
            Kubernetes = new KubernetesTargetSpec
            {
                Kubeconfig = kubeconfig, Context = "fake", Namespace = "default", Bucket = Bucket,
                HuggingFaceToken = new Uri(tokenFile).AbsoluteUri,
            },
        },
    };
}
