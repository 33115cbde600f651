using Contracts;
using Contracts.Protocol;
using Runner.Agent;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary>The <c>gke</c> target: the cloud steps itself, the Kubernetes steps through <see cref="KubernetesSteps"/> on
/// the new cluster (endpoint, CA and an access token from GKE).</summary>
internal sealed class GkeProvider(
    ClusterHandler cluster, NodePoolHandler nodePool, BucketHandler bucket, IdentityHandler identity,
    ClusterAccess access, KubernetesSteps kubernetes, GkeTeardown teardown, GcpOptions options) : IStepExecutor
{
    public async Task<StepResult> ExecuteAsync(StepClaim claim, IStepLog log, WorkStop stop, CancellationToken cancellationToken)
    {
        if (claim.Kind == StepKinds.Noop)
        {
            return StepResult.Succeeded();
        }

        var step = new GkeStep(claim, log, options);
        try
        {
            return claim.Kind switch
            {
                StepKinds.ClusterEnsure => await cluster.RunAsync(step, cancellationToken),
                StepKinds.NodePoolEnsure => await nodePool.RunAsync(step, cancellationToken),
                StepKinds.BucketEnsure => await bucket.RunAsync(step, cancellationToken),
                StepKinds.IdentityEnsure => await identity.RunAsync(step, cancellationToken),
                StepKinds.Teardown => await TeardownAsync(step, cancellationToken),
                _ when KubernetesSteps.Handles(claim.Kind) =>
                    await kubernetes.RunAsync(claim, log, await access.ConnectAsync(step, cancellationToken), cancellationToken),
                _ => StepResult.Failed($"step kind {claim.Kind} is not supported by the gke target"),
            };
        }
        catch (StepFailedException e)
        {
            return StepResult.Failed(e.Message);
        }
        catch (GoogleApiException e)
        {
            return StepResult.Failed(e.Message);
        }
        catch (OperationFailedException e)
        {
            return StepResult.Failed(e.Message);
        }
    }

    private async Task<StepResult> TeardownAsync(GkeStep step, CancellationToken cancellationToken)
    {
        await teardown.RunAsync(step, cancellationToken);
        return StepResult.Succeeded(new System.Text.Json.Nodes.JsonObject
        {
            ["environment"] = new System.Text.Json.Nodes.JsonObject { ["stableRevision"] = null, ["canaryRevision"] = null, ["frontUrl"] = null },
        });
    }
}
