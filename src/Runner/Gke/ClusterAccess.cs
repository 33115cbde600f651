using System.Security.Cryptography.X509Certificates;
using System.Text;
using CloudTargets.Google;
using k8s;
using Runner.Agent;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary>A Kubernetes client for a GKE cluster: its endpoint and CA from GKE, and an access token from the runner's
/// Google credentials, current at each request (GKE accepts Google OAuth tokens; no kubeconfig needed). The caller owns
/// and disposes the client.</summary>
internal sealed class ClusterAccess(GoogleRestClient client, GoogleCredentials credentials, GcpOptions options)
{
    public Task<k8s.Kubernetes> ConnectAsync(GkeStep step, CancellationToken cancellationToken) =>
        ConnectAsync(step.Target, step.Log, cancellationToken);

    /// <param name="log">Where the GKE client tells of its retries; null where nobody reads them (a health probe).</param>
    /// <exception cref="StepFailedException">GKE reports no endpoint for the cluster yet.</exception>
    /// <exception cref="GoogleApiException">GKE refused to describe the cluster.</exception>
    public async Task<k8s.Kubernetes> ConnectAsync(GkeTarget target, IStepLog? log, CancellationToken cancellationToken)
    {
        var cluster = await client.SendAsync(new GkeRequests(options.Endpoints, target).GetCluster(), log, cancellationToken);
        var endpoint = (string?)cluster["endpoint"];
        var ca = (string?)cluster["masterAuth"]?["clusterCaCertificate"];
        if (string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(ca))
        {
            throw new StepFailedException($"cluster {target.ClusterName} has no endpoint yet: is cluster.ensure done?");
        }

        var pem = Encoding.ASCII.GetString(Convert.FromBase64String(ca));
        var config = new KubernetesClientConfiguration
        {
            Host = $"https://{endpoint}",
            SslCaCerts = [X509Certificate2.CreateFromPem(pem)],
            TokenProvider = new GoogleTokenProvider(credentials),
        };
        return new k8s.Kubernetes(config);
    }
}
