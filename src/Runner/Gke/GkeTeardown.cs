using CloudTargets;
using Runner.Agent;

namespace Runner.Gke;

/// <summary>Deletes what the manual clean-up deletes: the cluster (waiting for its operation), the service account and
/// the bucket with its objects. What is already gone (404) counts as done, so a repeated teardown succeeds.</summary>
internal sealed class GkeTeardown(GoogleRestClient client, OperationWaiter waiter, StorageClients storage)
{
    public async Task RunAsync(GkeStep step, CancellationToken cancellationToken)
    {
        try
        {
            var operation = await client.SendAsync(step.Gke.DeleteCluster(), step.Log, cancellationToken);
            if ((string?)operation["name"] is { } name)
            {
                await waiter.WaitAsync(step.Gke, name, step.Log, cancellationToken);
            }

            step.Log.Write($"deleted cluster {step.Target.ClusterName}");
        }
        catch (GoogleApiException e) when (e.NotFound)
        {
            step.Log.Write($"cluster {step.Target.ClusterName} is already gone");
        }

        await DeleteAsync(step, step.Iam.DeleteServiceAccount(), $"service account {step.Target.ServiceAccountEmail}", cancellationToken);
        await DeleteBucketAsync(step, cancellationToken);
    }

    private async Task DeleteAsync(GkeStep step, CloudRequest request, string what, CancellationToken cancellationToken)
    {
        try
        {
            await client.SendAsync(request, step.Log, cancellationToken);
            step.Log.Write($"deleted {what}");
        }
        catch (GoogleApiException e) when (e.NotFound)
        {
            step.Log.Write($"{what} is already gone");
        }
    }

    private async Task DeleteBucketAsync(GkeStep step, CancellationToken cancellationToken)
    {
        var bucket = step.Target.Bucket;
        var gcs = await storage.GetAsync(cancellationToken);
        try
        {
            await foreach (var item in gcs.ListObjectsAsync(bucket).WithCancellation(cancellationToken))
            {
                await gcs.DeleteObjectAsync(bucket, item.Name, cancellationToken: cancellationToken);
            }

            await gcs.DeleteBucketAsync(bucket, cancellationToken: cancellationToken);
            step.Log.Write($"deleted bucket gs://{bucket}");
        }
        catch (global::Google.GoogleApiException e) when (e.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
        {
            step.Log.Write($"bucket gs://{bucket} is already gone");
        }
    }
}
