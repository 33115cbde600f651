using CloudTargets.Google;
using Contracts.Specs;
using Runner.Gke;
using Runner.Kubernetes;

namespace Runner.Health;

/// <summary>A <c>gke</c> environment: its cluster's API server found through GKE (endpoint and CA) and called with the
/// runner's Google credentials, as the <c>gke</c> target's steps reach it. GKE failing to describe the cluster, or the
/// credentials failing, is a cluster that cannot be reached: the sample is unobserved.</summary>
internal sealed class GkeHealthProbe(ClusterAccess access, TimeProvider time) : ClusterHealthProbe(time)
{
    public override string TargetKind => TargetKinds.Gke;

    protected override async Task<ClusterConnection> ConnectAsync(RolloutSpec spec, CancellationToken cancellationToken)
    {
        var target = GkeTarget.From(spec);
        try
        {
            return new ClusterConnection(await access.ConnectAsync(target, log: null, cancellationToken), target.Namespace);
        }
        catch (Exception e) when (e is GoogleApiException or StepFailedException or HttpRequestException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new ClusterUnreachableException($"the GKE API, cluster {target.ClusterName}: {Describe(e)}", e);
        }
    }

    // Before GKE is asked, or at a token refresh during the cluster's own calls.
    protected override string? Unreachable(Exception e) =>
        e is GoogleCredentialsException ? $"the Google credentials: {e.Message}" : base.Unreachable(e);

    private static string Describe(Exception e) => e is OperationCanceledException ? "no answer in time" : e.Message;
}
