using System.Text.Json.Nodes;
using Contracts.Specs;

namespace CloudTargets.Kubernetes;

/// <summary>One Deployment per revision (so stable and canary run side by side): the JetStream server on 9000 and the
/// HTTP front on 8000. The server reads the converted checkpoint from the bucket through Cloud Storage FUSE
/// (<see cref="GcsFuseVolume"/>), or with <c>model.load: server</c> downloads it from Hugging Face itself.</summary>
internal static class DeploymentManifest
{
    private const string WorkingDir = "model-working-dir";
    private const string ServerContainer = "jetstream-pytorch-server";

    public static JsonObject Build(Manifests manifests, RolloutSpec spec, string revision, int replicas, LoadBudget budget)
    {
        var model = manifests.Model;
        var server = model.ServerDownloads ? DownloadingServer(manifests, spec) : BucketServer(manifests, spec);
        server["ports"] = new JsonArray(new JsonObject { ["containerPort"] = Names.ServerPort });
        server["resources"] = manifests.TpuResources();
        var http = new JsonObject
        {
            ["name"] = "jetstream-http",
            ["image"] = Images.Http,
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = Names.HttpPort }),
            ["startupProbe"] = Probe(periodSeconds: LoadBudget.PeriodSeconds, failureThreshold: budget.StartupFailureThreshold),
            ["readinessProbe"] = Probe(periodSeconds: 10, failureThreshold: 3),
            ["livenessProbe"] = Probe(periodSeconds: 30, failureThreshold: 3),
        };
        var labels = manifests.Labels(Names.App);
        var metadata = manifests.Metadata(Names.Deployment(revision));
        metadata["labels"] = labels.DeepClone();
        metadata["annotations"] = new JsonObject { [Names.LoadBudgetAnnotation] = budget.Describe() };
        var template = new JsonObject { ["labels"] = labels.DeepClone() };
        JsonObject volume;
        if (model.ServerDownloads)
        {
            volume = new JsonObject { ["name"] = WorkingDir, ["emptyDir"] = new JsonObject() };
        }
        else
        {
            template["annotations"] = GcsFuseVolume.Annotations(manifests.Autopilot, budget.Bytes);
            volume = GcsFuseVolume.Volume(manifests.Target.Bucket);
        }

        var volumes = new JsonArray(volume);
        if (model.ServerDownloads)
        {
            volumes.Add(Manifests.SecretVolume());
        }

        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["progressDeadlineSeconds"] = Math.Max(1800, (int)budget.Allowed.TotalSeconds + 600),
                ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() },
                ["template"] = new JsonObject
                {
                    ["metadata"] = template,
                    ["spec"] = new JsonObject
                    {
                        ["serviceAccountName"] = manifests.Target.ServiceAccount,
                        ["nodeSelector"] = manifests.NodeSelector(),
                        ["containers"] = new JsonArray(server, http),
                        ["volumes"] = volumes,
                    },
                },
            },
        };
    }

    private static JsonObject BucketServer(Manifests manifests, RolloutSpec spec)
    {
        var model = manifests.Model;
        var engine = spec.Engine;
        return new JsonObject
        {
            ["name"] = ServerContainer,
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
            ["volumeMounts"] = new JsonArray(new JsonObject
            {
                ["name"] = GcsFuseVolume.VolumeName,
                ["mountPath"] = model.MountPath,
                ["readOnly"] = true,
            }),
        };
    }

    // v0.2.4 of the procedure: the image runs `jpt serve` with these flags (jetstream_pt/cli.py and fetch_models.py at
    // jetstream-v0.2.4: the --model_id path reads override_batch_size and override_max_cache_length, not batch_size and
    // max_cache_length). It downloads into --working_dir with the token from the Secret: its entrypoint logs in with
    // /huggingface/HUGGINGFACE_TOKEN, the download falls back to HF_TOKEN.
    private static JsonObject DownloadingServer(Manifests manifests, RolloutSpec spec)
    {
        var model = manifests.Model;
        var engine = spec.Engine;
        return new JsonObject
        {
            ["name"] = ServerContainer,
            ["image"] = string.IsNullOrEmpty(engine.Image) ? Images.ServerWithModelId : engine.Image,
            ["args"] = new JsonArray(
                $"--model_id={model.HuggingFaceRepo}",
                $"--override_batch_size={engine.BatchSize}",
                $"--override_max_cache_length={engine.MaxCacheLength}",
                $"--quantize_weights={Manifests.Flag(engine.QuantizeWeights)}",
                $"--quantize_kv_cache={Manifests.Flag(engine.QuantizeKvCache)}",
                $"--working_dir={model.MountPath}",
                "--enable_model_warmup=True"),
            ["env"] = new JsonArray(TokenVariable("HF_TOKEN"), TokenVariable(Names.SecretKey)),
            ["volumeMounts"] = new JsonArray(
                new JsonObject { ["name"] = WorkingDir, ["mountPath"] = model.MountPath },
                Manifests.SecretMount()),
        };
    }

    private static JsonObject TokenVariable(string name) => new()
    {
        ["name"] = name,
        ["valueFrom"] = new JsonObject
        {
            ["secretKeyRef"] = new JsonObject { ["name"] = Names.Secret, ["key"] = Names.SecretKey },
        },
    };

    private static JsonObject Probe(int periodSeconds, int failureThreshold) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = "/healthcheck", ["port"] = Names.HttpPort },
        ["periodSeconds"] = periodSeconds,
        ["failureThreshold"] = failureThreshold,
    };
}
