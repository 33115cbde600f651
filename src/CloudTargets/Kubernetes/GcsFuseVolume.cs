using System.Globalization;
using System.Text.Json.Nodes;

namespace CloudTargets.Kubernetes;

/// <summary>
/// The bucket as the engine pods read it: a CSI ephemeral volume of the Cloud Storage FUSE driver
/// (<c>gcsfuse.csi.storage.gke.io</c>), read-only, tuned as GKE's "Optimize Cloud Storage FUSE CSI driver for GKE
/// performance" guide tunes it for serving model weights: the file cache on, unbounded, filled by parallel downloads
/// and also for range reads (safetensors are read in ranges); metadata cached for ever (the checkpoint never changes
/// under a revision: a new conversion is a new revision) and prefetched when the volume mounts; implicit directories.
/// The file cache lives in the sidecar's own cache volume on the node's boot disk (the driver's default medium), so
/// the sidecar's ephemeral storage must hold the checkpoint: unlimited on Standard, sized to it on Autopilot, where
/// every container's resources are fixed requests.
/// </summary>
public static class GcsFuseVolume
{
    public const string Driver = "gcsfuse.csi.storage.gke.io";
    public const string VolumeName = "gcs-fuse-checkpoint";

    public const string MountOptions = "implicit-dirs," +
        "metadata-cache:ttl-secs:-1,metadata-cache:stat-cache-max-size-mb:-1,metadata-cache:type-cache-max-size-mb:-1," +
        "file-cache:max-size-mb:-1,file-cache:cache-file-for-range-read:true,file-cache:enable-parallel-downloads:true";

    public static JsonObject Volume(string bucket) => new()
    {
        ["name"] = VolumeName,
        ["csi"] = new JsonObject
        {
            ["driver"] = Driver,
            ["readOnly"] = true,
            ["volumeAttributes"] = new JsonObject
            {
                ["bucketName"] = bucket,
                ["mountOptions"] = MountOptions,
                ["gcsfuseMetadataPrefetchOnMount"] = "true",
            },
        },
    };

    /// <summary>The pod annotations: inject the sidecar, and give it room for the file cache.</summary>
    /// <param name="cacheBytes">What the file cache will hold (the checkpoint).</param>
    public static JsonObject Annotations(bool autopilot, long cacheBytes)
    {
        var annotations = new JsonObject { ["gke-gcsfuse/volumes"] = "true" };
        if (autopilot)
        {
            // A tenth more than the checkpoint, and at least 10 GiB, for the tokenizer and the cache's own files.
            var gib = Math.Max(10, (long)Math.Ceiling(cacheBytes * 1.1 / (1L << 30)));
            var size = gib.ToString(CultureInfo.InvariantCulture) + "Gi";
            annotations["gke-gcsfuse/ephemeral-storage-request"] = size;
            annotations["gke-gcsfuse/ephemeral-storage-limit"] = size;
        }
        else
        {
            // "0": no limit. The node is the engine's alone (one TPU pod per host).
            annotations["gke-gcsfuse/cpu-limit"] = "0";
            annotations["gke-gcsfuse/memory-limit"] = "0";
            annotations["gke-gcsfuse/ephemeral-storage-limit"] = "0";
        }

        return annotations;
    }
}
