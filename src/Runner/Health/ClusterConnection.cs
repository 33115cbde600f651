namespace Runner.Health;

/// <summary>A Kubernetes client for the cluster an environment is served on, and the namespace it is served in. Disposing
/// it disposes the client.</summary>
internal sealed record ClusterConnection(k8s.Kubernetes Client, string Namespace) : IDisposable
{
    public void Dispose() => Client.Dispose();
}
