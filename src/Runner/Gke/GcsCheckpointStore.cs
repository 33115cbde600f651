using System.Net;
using System.Text.Json.Nodes;
using CloudTargets.Google;
using CloudTargets.Kubernetes;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary>Compares the converted checkpoint's objects in Cloud Storage with the marker a finished conversion wrote
/// beside them (<see cref="CheckpointMarker"/>): presence alone proves nothing, since an object may have been replaced
/// or a conversion interrupted between uploads.</summary>
internal sealed class GcsCheckpointStore(StorageClients storage, GoogleRestClient rest, GcpOptions options) : ICheckpointStore
{
    public async Task<string?> StaleReasonAsync(string bucket, ModelLayout model, CancellationToken cancellationToken)
    {
        var marker = await MarkerAsync(bucket, model, cancellationToken);
        var current = await ListAsync(bucket, model, cancellationToken);
        return CheckpointMarker.Mismatch(marker, model.SourceId, [model.CheckpointObject, model.TokenizerObject], current);
    }

    public async Task<long?> CheckpointBytesAsync(string bucket, ModelLayout model, CancellationToken cancellationToken) =>
        CheckpointMarker.TotalBytes(await MarkerAsync(bucket, model, cancellationToken));

    private async Task<JsonObject?> MarkerAsync(string bucket, ModelLayout model, CancellationToken cancellationToken)
    {
        try
        {
            return await rest.SendAsync(CheckpointMarker.Read(options.Endpoints, bucket, model.MarkerObject), null, cancellationToken);
        }
        catch (GoogleApiException e) when (e.HttpStatus == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task RecordAsync(string bucket, ModelLayout model, CancellationToken cancellationToken)
    {
        var current = await ListAsync(bucket, model, cancellationToken);
        var marker = CheckpointMarker.Build(model.SourceId, current);
        await rest.SendAsync(CheckpointMarker.Write(options.Endpoints, bucket, model.MarkerObject, marker), null, cancellationToken);
    }

    private async Task<List<StoredObject>> ListAsync(string bucket, ModelLayout model, CancellationToken cancellationToken)
    {
        var client = await storage.GetAsync(cancellationToken);
        var found = new List<StoredObject>();
        try
        {
            await foreach (var item in client.ListObjectsAsync(bucket, model.ObjectPrefix).WithCancellation(cancellationToken))
            {
                if (item.Name.StartsWith(model.ObjectPrefix, StringComparison.Ordinal) && item.Name != model.MarkerObject)
                {
                    found.Add(new StoredObject(item.Name, (long)(item.Size ?? 0), item.Crc32c, item.Md5Hash));
                }
            }
        }
        catch (global::Google.GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.NotFound)
        {
            // No bucket yet: nothing converted.
        }

        return found;
    }
}
