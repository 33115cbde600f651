using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Runner.Kubernetes;

/// <summary>Reads that treat 404 as "absent" (a null), never as an error.</summary>
internal static class KubeRead
{
    public static async Task<V1Job?> JobAsync(IKubernetes client, string name, string ns, CancellationToken cancellationToken)
    {
        try
        {
            return await client.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public static async Task<V1Deployment?> DeploymentAsync(IKubernetes client, string name, string ns, CancellationToken cancellationToken)
    {
        try
        {
            return await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
