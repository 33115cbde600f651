using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary>A Kubernetes client for the rollout's GKE cluster: its endpoint and CA from GKE, and an access token from the
/// runner's Google credentials, current at each request (GKE accepts Google OAuth tokens; no kubeconfig needed).</summary>
internal sealed class ClusterAccess(GoogleRestClient client, GoogleCredentials credentials)
{
    public async Task<k8s.Kubernetes> ConnectAsync(GkeStep step, CancellationToken cancellationToken)
    {
        var cluster = await client.SendAsync(step.Gke.GetCluster(), step.Log, cancellationToken);
        var endpoint = (string?)cluster["endpoint"];
        var ca = (string?)cluster["masterAuth"]?["clusterCaCertificate"];
        if (string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(ca))
        {
            throw new StepFailedException($"cluster {step.Target.ClusterName} has no endpoint yet: is cluster.ensure done?");
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
