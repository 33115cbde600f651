using System.Net;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary>Looks the converted checkpoint's objects up in Cloud Storage. The converter writes each object whole
/// (an object is never visible half-written), so a present, non-empty object is a finished one.</summary>
internal sealed class GcsCheckpointStore(StorageClients storage) : ICheckpointStore
{
    public async Task<bool> ExistsAsync(string bucket, IReadOnlyList<string> objects, CancellationToken cancellationToken)
    {
        var client = await storage.GetAsync(cancellationToken);
        foreach (var name in objects)
        {
            try
            {
                var found = await client.GetObjectAsync(bucket, name, cancellationToken: cancellationToken);
                if (found.Size is null or 0)
                {
                    return false;
                }
            }
            catch (global::Google.GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }

        return true;
    }
}
