using Contracts;
using Contracts.Protocol;
using Runner.Agent;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary>The <c>gke</c> target: the cloud steps itself, the Kubernetes steps through <see cref="KubernetesSteps"/> on
/// the new cluster (endpoint, CA and an access token from GKE). <c>cluster.ensure</c>, the first gke step, first obtains an
/// access token: credentials that cannot be had fail it at once, with their source named, before any call.</summary>
internal sealed class GkeProvider(
    ClusterHandler cluster, NodePoolHandler nodePool, BucketHandler bucket, IdentityHandler identity, RunnerConvertHandler convert,
    ClusterAccess access, KubernetesSteps kubernetes, GkeTeardown teardown, GoogleCredentials credentials, GcpOptions options) : IStepExecutor
{
    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        if (context.Kind == StepKinds.Noop)
        {
            return StepResult.Succeeded();
        }

        var step = new GkeStep(context, options);
        var claim = context.Claim;
        var log = context.Log;
        try
        {
            if (claim.Kind == StepKinds.ClusterEnsure)
            {
                // Preflight of the first gke step: the credentials yield an access token before anything is created.
                await credentials.AccessTokenAsync(cancellationToken);
                log.Write($"credentials: obtained an access token from {credentials.Source}");
            }

            return claim.Kind switch
            {
                StepKinds.ClusterEnsure => await cluster.RunAsync(step, cancellationToken),
                StepKinds.NodePoolEnsure => await nodePool.RunAsync(step, cancellationToken),
                StepKinds.BucketEnsure => await bucket.RunAsync(step, cancellationToken),
                StepKinds.IdentityEnsure => await identity.RunAsync(step, cancellationToken),
                StepKinds.Teardown => await TeardownAsync(step, cancellationToken),
                StepKinds.CheckpointConvert when Contracts.Specs.GkeConversions.ByRunner(step.Spec) => await convert.RunAsync(step, cancellationToken),
                _ when KubernetesSteps.Handles(claim.Kind) => await OnClusterAsync(step, cancellationToken),
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
        catch (GoogleCredentialsException e)
        {
            // Bad credentials do not heal by retrying: fail at once, naming where they were to come from.
            return StepResult.Failed(e.Message);
        }
    }

    private async Task<StepResult> OnClusterAsync(GkeStep step, CancellationToken cancellationToken)
    {
        using var client = await access.ConnectAsync(step, cancellationToken);
        return await kubernetes.RunAsync(step.Context, client, cancellationToken);
    }

    private async Task<StepResult> TeardownAsync(GkeStep step, CancellationToken cancellationToken)
    {
        await teardown.RunAsync(step, cancellationToken);
        // Nothing is served any more; the last rollback stays on record.
        return StepResult.Succeeded(EnvironmentStates.Output(new Contracts.EnvironmentState { LastRollback = step.Context.State.LastRollback }));
    }
}
