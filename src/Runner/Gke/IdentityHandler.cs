using System.Text.Json.Nodes;
using CloudTargets;
using CloudTargets.Google;
using Runner.Agent;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary><c>identity.ensure</c>: the Google service account, its project roles, Workload Identity for the Kubernetes
/// service account, and that account's annotation. Policies are read-modify-written whole with their etag; a concurrent
/// change (409 ABORTED) redoes the cycle from a fresh read, so no other member is ever dropped.</summary>
internal sealed class IdentityHandler(GoogleRestClient client, ClusterAccess clusters, GcpOptions options, TimeProvider time)
{
    private const int MaxPolicyCycles = 10;

    public async Task<StepResult> RunAsync(GkeStep step, CancellationToken cancellationToken)
    {
        await EnsureServiceAccountAsync(step, cancellationToken);
        var member = step.Iam.ServiceAccountMember;
        foreach (var role in IamRequests.ProjectRoles)
        {
            await AddBindingAsync(step, step.Iam.GetProjectPolicy(), step.Iam.SetProjectPolicy, role, member, cancellationToken);
        }

        await AddBindingAsync(step, step.Iam.GetServiceAccountPolicy(), step.Iam.SetServiceAccountPolicy,
            IamRequests.WorkloadIdentityUserRole, step.Target.WorkloadIdentityMember, cancellationToken);

        using var kube = await clusters.ConnectAsync(step, cancellationToken);
        var manifests = new CloudTargets.Kubernetes.Manifests(step.Spec, step.Claim.Revision);
        await KubeApply.ApplyAsync(kube, manifests.ServiceAccountAnnotation(step.Target.ServiceAccountEmail), cancellationToken);
        step.Log.Write($"Kubernetes service account {step.Target.Namespace}/{step.Target.KubernetesServiceAccount} acts as {step.Target.ServiceAccountEmail}");
        return StepResult.Succeeded(new JsonObject { ["serviceAccount"] = step.Target.ServiceAccountEmail });
    }

    private async Task EnsureServiceAccountAsync(GkeStep step, CancellationToken cancellationToken)
    {
        if (await ExistsAsync(step, cancellationToken))
        {
            step.Log.Write($"service account {step.Target.ServiceAccountEmail} exists: adopting it");
            return;
        }

        try
        {
            await client.SendAsync(step.Iam.CreateServiceAccount(), step.Log, cancellationToken);
            step.Log.Write($"created service account {step.Target.ServiceAccountEmail}");
        }
        catch (GoogleApiException e) when (e.AlreadyExists)
        {
            step.Log.Write($"service account {step.Target.ServiceAccountEmail} already exists: adopting it");
        }

        // IAM is eventually consistent: a fresh account can be invisible to reads and policy calls for a while.
        var deadline = time.GetUtcNow() + options.VisibilityWait;
        while (!await ExistsAsync(step, cancellationToken))
        {
            if (time.GetUtcNow() > deadline)
            {
                throw new StepFailedException($"service account {step.Target.ServiceAccountEmail} was created but is still not visible after {options.VisibilityWait.TotalSeconds:0} s");
            }

            await Task.Delay(options.PollInterval, time, cancellationToken);
        }
    }

    private async Task<bool> ExistsAsync(GkeStep step, CancellationToken cancellationToken)
    {
        try
        {
            await client.SendAsync(step.Iam.GetServiceAccount(), step.Log, cancellationToken);
            return true;
        }
        catch (GoogleApiException e) when (e.NotFound)
        {
            return false;
        }
    }

    private async Task AddBindingAsync(
        GkeStep step, CloudRequest get, Func<JsonObject, CloudRequest> set, string role, string member, CancellationToken cancellationToken)
    {
        for (var cycle = 1; ; cycle++)
        {
            var policy = await client.SendAsync(get, step.Log, cancellationToken);
            if (!PolicyBindings.Add(policy, role, member))
            {
                step.Log.Write($"{member} already has {role}");
                return;
            }

            try
            {
                await client.SendAsync(set(policy), step.Log, cancellationToken);
                step.Log.Write($"granted {role} to {member}");
                return;
            }
            catch (GoogleApiException e) when (e.Aborted && cycle < MaxPolicyCycles)
            {
                step.Log.Write($"the policy changed while {role} was being granted (etag conflict): reading it again");
            }
        }
    }
}
