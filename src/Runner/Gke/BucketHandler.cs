using System.Net;
using System.Text.Json.Nodes;
using Google.Cloud.Storage.V1;
using Runner.Agent;
using Runner.Kubernetes;
using StorageBucket = Google.Apis.Storage.v1.Data.Bucket;

namespace Runner.Gke;

/// <summary><c>bucket.ensure</c> through <c>Google.Cloud.Storage.V1</c>: adopt the bucket when it is there (409 on create
/// means it appeared meanwhile: look it up), else create it in the region with uniform bucket-level access.</summary>
internal sealed class BucketHandler(StorageClients storage)
{
    public async Task<StepResult> RunAsync(GkeStep step, CancellationToken cancellationToken)
    {
        var client = await storage.GetAsync(cancellationToken);
        var name = step.Target.Bucket;
        var bucket = await FindAsync(client, name, cancellationToken);
        if (bucket is null)
        {
            step.Log.Write($"creating bucket gs://{name} in {step.Target.Region}");
            try
            {
                bucket = await client.CreateBucketAsync(step.Target.Project, ToBucket(step.Storage.BucketBody()), cancellationToken: cancellationToken);
            }
            catch (global::Google.GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.Conflict)
            {
                step.Log.Write($"bucket gs://{name} already exists: adopting it");
                bucket = await FindAsync(client, name, cancellationToken)
                    ?? throw new StepFailedException($"bucket gs://{name} exists but cannot be read: it may belong to another project");
            }
        }
        else
        {
            step.Log.Write($"bucket gs://{name} exists: adopting it");
        }

        var wanted = step.Target.Region.ToUpperInvariant();
        if (!string.Equals(bucket.Location, wanted, StringComparison.OrdinalIgnoreCase))
        {
            throw new StepFailedException($"bucket gs://{name} exists with incompatible settings: location: wanted {wanted}, found {bucket.Location}");
        }

        return StepResult.Succeeded(new JsonObject { ["bucket"] = name });
    }

    /// <summary>The client library's bucket, built from the same JSON the plan preview shows.</summary>
    public static StorageBucket ToBucket(JsonObject body) => new()
    {
        Name = (string?)body["name"],
        Location = (string?)body["location"],
        IamConfiguration = new StorageBucket.IamConfigurationData
        {
            UniformBucketLevelAccess = new StorageBucket.IamConfigurationData.UniformBucketLevelAccessData
            {
                Enabled = (bool?)body["iamConfiguration"]?["uniformBucketLevelAccess"]?["enabled"],
            },
        },
    };

    private static async Task<StorageBucket?> FindAsync(StorageClient client, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetBucketAsync(name, cancellationToken: cancellationToken);
        }
        catch (global::Google.GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
