using System.Text.Json.Nodes;

namespace CloudTargets.Google;

/// <summary>The Cloud Storage JSON API calls <c>Google.Cloud.Storage.V1</c> makes for the bucket (shown by the plan
/// preview; the runner sends them through the client library built from <see cref="BucketBody"/>).</summary>
public sealed class StorageRequests(GoogleEndpoints endpoints, GkeTarget target)
{
    public CloudRequest CreateBucket() => new("POST", Url($"b?project={Uri.EscapeDataString(target.Project)}"), BucketBody());

    public CloudRequest GetBucket() => new("GET", Url($"b/{target.Bucket}"));

    public CloudRequest DeleteBucket() => new("DELETE", Url($"b/{target.Bucket}"));

    /// <summary>Uniform bucket-level access: the Cloud Storage FUSE driver and IAM roles, not object ACLs, grant access.</summary>
    public JsonObject BucketBody() => new()
    {
        ["name"] = target.Bucket,
        ["location"] = target.Region.ToUpperInvariant(),
        ["iamConfiguration"] = new JsonObject { ["uniformBucketLevelAccess"] = new JsonObject { ["enabled"] = true } },
    };

    private string Url(string path) => new Uri(endpoints.Storage, path).ToString();
}
