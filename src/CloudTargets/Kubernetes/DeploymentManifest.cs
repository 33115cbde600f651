using System.Text.Json.Nodes;
using Contracts.Specs;

namespace CloudTargets.Kubernetes;

/// <summary>One Deployment per revision (so stable and canary run side by side): the JetStream server on 9000 reading
/// the converted checkpoint from the bucket through the Cloud Storage FUSE CSI driver, and the HTTP front on 8000.</summary>
internal static class DeploymentManifest
{
    /// <summary>The model takes minutes to load: the startup probe allows 20 minutes before liveness takes over.</summary>
    public const int StartupFailureThreshold = 120;

    public static JsonObject Build(Manifests manifests, RolloutSpec spec, string revision, int replicas)
    {
        var model = manifests.Model;
        var engine = spec.Engine;
        var server = new JsonObject
        {
            ["name"] = "jetstream-pytorch-server",
            ["image"] = string.IsNullOrEmpty(engine.Image) ? Images.Server : engine.Image,
            ["args"] = new JsonArray(
                $"--size={model.Size}",
                $"--model_name={model.ModelName}",
                $"--batch_size={engine.BatchSize}",
                $"--max_cache_length={engine.MaxCacheLength}",
                $"--quantize_weights={Manifests.Flag(engine.QuantizeWeights)}",
                $"--quantize_kv_cache={Manifests.Flag(engine.QuantizeKvCache)}",
                $"--tokenizer_path={model.MountPath}/{model.TokenizerObject}",
                $"--checkpoint_path={model.MountPath}/{model.CheckpointObject}"),
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = Names.ServerPort }),
            ["resources"] = Manifests.TpuResources(),
            ["volumeMounts"] = new JsonArray(new JsonObject
            {
                ["name"] = "gcs-fuse-checkpoint",
                ["mountPath"] = model.MountPath,
                ["readOnly"] = true,
            }),
        };
        var http = new JsonObject
        {
            ["name"] = "jetstream-http",
            ["image"] = Images.Http,
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = Names.HttpPort }),
            ["startupProbe"] = Probe(periodSeconds: 10, failureThreshold: StartupFailureThreshold),
            ["readinessProbe"] = Probe(periodSeconds: 10, failureThreshold: 3),
            ["livenessProbe"] = Probe(periodSeconds: 30, failureThreshold: 3),
        };
        var labels = manifests.Labels(Names.App);
        var metadata = manifests.Metadata(Names.Deployment(revision));
        metadata["labels"] = labels.DeepClone();
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["progressDeadlineSeconds"] = 1800,
                ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["labels"] = labels.DeepClone(),
                        ["annotations"] = new JsonObject { ["gke-gcsfuse/volumes"] = "true" },
                    },
                    ["spec"] = new JsonObject
                    {
                        ["serviceAccountName"] = manifests.Target.ServiceAccount,
                        ["nodeSelector"] = manifests.NodeSelector(),
                        ["containers"] = new JsonArray(server, http),
                        ["volumes"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "gcs-fuse-checkpoint",
                            ["csi"] = new JsonObject
                            {
                                ["driver"] = "gcsfuse.csi.storage.gke.io",
                                ["readOnly"] = true,
                                ["volumeAttributes"] = new JsonObject
                                {
                                    ["bucketName"] = manifests.Target.Bucket,
                                    ["mountOptions"] = "implicit-dirs",
                                },
                            },
                        }),
                    },
                },
            },
        };
    }

    private static JsonObject Probe(int periodSeconds, int failureThreshold) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = "/healthcheck", ["port"] = Names.HttpPort },
        ["periodSeconds"] = periodSeconds,
        ["failureThreshold"] = failureThreshold,
    };
}
