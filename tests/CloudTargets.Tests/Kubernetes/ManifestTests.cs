using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using CloudTargets.Tests.Infrastructure;
using CloudTargets.Tests.Schemas;
using Contracts.Specs;

namespace CloudTargets.Tests.Kubernetes;

/// <summary>The engine's Deployment and the converter Job in each mode: valid against the Kubernetes 1.35 schema, with
/// the TPU chips, node selectors, Cloud Storage FUSE options and startup budget each setting asks for.</summary>
public sealed class ManifestTests
{
    private const string Token = "/tmp/token";

    public static TheoryData<string, string, string, bool, string> Variants => new()
    {
        // mode, machine type, topology, spot, load
        { "standard", "ct5lp-hightpu-8t", "2x4", false, ModelSpec.LoadBucket },
        { "standard", "ct5lp-hightpu-4t", "2x2", true, ModelSpec.LoadBucket },
        { "autopilot", "ct5lp-hightpu-8t", "2x4", true, ModelSpec.LoadBucket },
        { "autopilot", "ct5lp-hightpu-8t", "2x2", false, ModelSpec.LoadServer },
        { "standard", "ct5lp-hightpu-1t", "1x1", false, ModelSpec.LoadServer },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void DeploymentAndJob_EachVariant_ValidAgainstTheSchema(string mode, string machineType, string topology, bool spot, string load)
    {
        var manifests = new Manifests(Spec(mode, machineType, topology, spot, load), "r1");

        foreach (var (kind, body) in new[] { ("Deployment", manifests.Deployment(2, 16_000_000_000)), ("Job", manifests.ConverterJob()) })
        {
            // As the API server receives it: from the wire, not from the builder's CLR values.
            var (strict, required) = KubeSchema.Instance.Validate(kind, JsonNode.Parse(body.ToJsonString())!);
            Assert.True(strict.Count == 0 && required.Count == 0, $"{kind}: {string.Join("; ", strict.Concat(required))}");
        }
    }

    [Theory]
    [InlineData("standard", "ct5lp-hightpu-8t", "2x4", "8")]
    [InlineData("standard", "ct5lp-hightpu-4t", "2x2", "4")]
    [InlineData("standard", "ct5lp-hightpu-4t", "4x4", "4")]
    [InlineData("standard", "ct5lp-hightpu-1t", "1x1", "1")]
    [InlineData("autopilot", "ct5lp-hightpu-8t", "2x2", "4")]
    [InlineData("autopilot", "ct5lp-hightpu-8t", "1x1", "1")]
    [InlineData("autopilot", "ct5lp-hightpu-8t", "4x4", "4")]
    public void TpuChips_FromMachineTypeOrTopology_OneHostPerPod(string mode, string machineType, string topology, string chips)
    {
        var manifests = new Manifests(Spec(mode, machineType, topology, false, ModelSpec.LoadBucket), "r1");

        foreach (var pod in new[] { manifests.Deployment(2)["spec"]!["template"]!, manifests.ConverterJob()["spec"]!["template"]! })
        {
            var resources = pod["spec"]!["containers"]![0]!["resources"]!;
            Assert.Equal(chips, (string?)resources["requests"]!["google.com/tpu"]);
            Assert.Equal(chips, (string?)resources["limits"]!["google.com/tpu"]);
            Assert.Equal(topology, (string?)pod["spec"]!["nodeSelector"]!["cloud.google.com/gke-tpu-topology"]);
        }
    }

    [Fact]
    public void Deployment_AutopilotSpotAndFlexStart_SelectorsAskForThoseNodes()
    {
        var spot = Selector(Spec("autopilot", "ct5lp-hightpu-8t", "2x4", true, ModelSpec.LoadBucket));
        var flex = Selector(Spec("autopilot", "ct5lp-hightpu-8t", "2x4", false, ModelSpec.LoadBucket, TpuSpec.FlexStart));
        var onDemand = Selector(Spec("autopilot", "ct5lp-hightpu-8t", "2x4", false, ModelSpec.LoadBucket));

        Assert.Equal("true", (string?)spot["cloud.google.com/gke-spot"]);
        Assert.Null(spot["cloud.google.com/gke-flex-start"]);
        Assert.Equal("true", (string?)flex["cloud.google.com/gke-flex-start"]);
        Assert.Null(onDemand["cloud.google.com/gke-spot"]);
        Assert.Equal(["cloud.google.com/gke-tpu-topology", "cloud.google.com/gke-tpu-accelerator"], onDemand.Select(p => p.Key).ToList());
    }

    [Fact]
    public void Deployment_Bucket_FuseVolumeTunedForServingWeights()
    {
        var pod = new Manifests(Spec("standard", "ct5lp-hightpu-8t", "2x4", false, ModelSpec.LoadBucket), "r1").Deployment(2)["spec"]!["template"]!;

        var csi = pod["spec"]!["volumes"]![0]!["csi"]!;
        Assert.Equal("gcsfuse.csi.storage.gke.io", (string?)csi["driver"]);
        Assert.True((bool?)csi["readOnly"]);
        var options = ((string)csi["volumeAttributes"]!["mountOptions"]!).Split(',');
        Assert.Contains("implicit-dirs", options);
        Assert.Contains("file-cache:max-size-mb:-1", options);
        Assert.Contains("file-cache:cache-file-for-range-read:true", options);
        Assert.Contains("file-cache:enable-parallel-downloads:true", options);
        Assert.Contains("metadata-cache:ttl-secs:-1", options);
        Assert.DoesNotContain(options, o => o.Contains(' ', StringComparison.Ordinal));
        Assert.Equal("true", (string?)csi["volumeAttributes"]!["gcsfuseMetadataPrefetchOnMount"]);
        Assert.Equal(Specs.Bucket, (string?)csi["volumeAttributes"]!["bucketName"]);
        var annotations = pod["metadata"]!["annotations"]!;
        Assert.Equal("true", (string?)annotations["gke-gcsfuse/volumes"]);
        Assert.Equal("0", (string?)annotations["gke-gcsfuse/ephemeral-storage-limit"]);
        Assert.Equal("0", (string?)annotations["gke-gcsfuse/memory-limit"]);
        var server = pod["spec"]!["containers"]![0]!;
        Assert.True((bool?)server["volumeMounts"]![0]!["readOnly"]);
        Assert.Contains("--checkpoint_path=/models/pytorch/gemma-7b-it/final/bf16/model.safetensors", Args(server));
    }

    [Fact]
    public void Deployment_ServerLoad_ModelIdWithTheTokenFromTheSecretAndNoBucket()
    {
        var spec = Spec("autopilot", "ct5lp-hightpu-8t", "2x4", false, ModelSpec.LoadServer);
        var manifests = new Manifests(spec, "r1");
        var pod = manifests.Deployment(2)["spec"]!["template"]!;

        var server = pod["spec"]!["containers"]![0]!;
        Assert.Equal(Images.ServerWithModelId, (string?)server["image"]);
        var args = Args(server);
        Assert.Contains("--model_id=google/gemma-7b-it", args);
        // The --model_id path of jpt serve reads the override_ flags; batch_size and max_cache_length would be ignored.
        Assert.Contains("--override_batch_size=32", args);
        Assert.Contains("--override_max_cache_length=2048", args);
        Assert.DoesNotContain(args, a => a.StartsWith("--max_cache_length", StringComparison.Ordinal) || a.StartsWith("--batch_size", StringComparison.Ordinal));
        Assert.DoesNotContain(args, a => a.StartsWith("--checkpoint_path", StringComparison.Ordinal));
        var env = server["env"]!.AsArray().Select(e => ((string?)e!["name"], (string?)e["valueFrom"]!["secretKeyRef"]!["name"], (string?)e["valueFrom"]!["secretKeyRef"]!["key"])).ToList();
        Assert.Equal([("HF_TOKEN", Names.Secret, Names.SecretKey), ("HUGGINGFACE_TOKEN", Names.Secret, Names.SecretKey)], env);
        Assert.DoesNotContain(pod["spec"]!["volumes"]!.AsArray(), v => v!["csi"] is not null);
        Assert.Null(pod["metadata"]!["annotations"]);
        Assert.False(manifests.NeedsConversion);
        Assert.True(new Manifests(Spec("autopilot", "ct5lp-hightpu-8t", "2x4", false, ModelSpec.LoadBucket), "r1").NeedsConversion);
    }

    [Theory]
    [InlineData(1_000_000_000L, 60)]       // 5 s at 200 MB/s: the 10-minute floor
    [InlineData(16_000_000_000L, 60)]      // 80 s x2 = 160 s: still the floor
    [InlineData(100_000_000_000L, 100)]    // 500 s x2 = 1000 s
    [InlineData(400_000_000_000L, 400)]    // 2000 s x2 = 4000 s
    public void StartupProbe_CheckpointSize_BudgetGrowsWithIt(long bytes, int threshold)
    {
        var deployment = new Manifests(Spec("standard", "ct5lp-hightpu-8t", "2x4", false, ModelSpec.LoadBucket), "r1").Deployment(2, bytes);

        var probe = deployment["spec"]!["template"]!["spec"]!["containers"]![1]!["startupProbe"]!;
        Assert.Equal(threshold, (int?)probe["failureThreshold"]);
        Assert.Equal(10, (int?)probe["periodSeconds"]);
        var annotation = (string?)deployment["metadata"]!["annotations"]![Names.LoadBudgetAnnotation];
        Assert.StartsWith($"startup probe {threshold} x 10s", annotation, StringComparison.Ordinal);
        Assert.Contains("from the conversion marker", annotation, StringComparison.Ordinal);
        Assert.True((int)deployment["spec"]!["progressDeadlineSeconds"]! >= threshold * 10);
    }

    [Fact]
    public void StartupProbe_ServerDownloads_AllowsForTheDownloadToo()
    {
        var bucket = LoadBudget.For(new ModelLayout(Spec("standard", "ct5lp-hightpu-8t", "2x4", false, ModelSpec.LoadBucket, model: "llama-3")), null);
        var server = LoadBudget.For(new ModelLayout(Spec("standard", "ct5lp-hightpu-8t", "2x4", false, ModelSpec.LoadServer, model: "llama-3")), null);

        Assert.Equal(16_060_000_000, bucket.Bytes);
        Assert.Equal(bucket.Bytes, server.Bytes);
        Assert.True(server.StartupFailureThreshold > bucket.StartupFailureThreshold);
        Assert.Equal((int)Math.Ceiling((16.06e9 / 50e6 + 16.06e9 / 200e6) * 2 / 10), server.StartupFailureThreshold);
    }

    private static JsonObject Selector(RolloutSpec spec) =>
        new Manifests(spec, "r1").Deployment(2)["spec"]!["template"]!["spec"]!["nodeSelector"]!.AsObject();

    private static List<string> Args(JsonNode container) => container["args"]!.AsArray().Select(a => (string)a!).ToList();

    private static RolloutSpec Spec(string mode, string machineType, string topology, bool spot, string load,
        string provisioning = TpuSpec.OnDemand, string model = "gemma")
    {
        var spec = Specs.Gke(Token, mode, gke => gke with
        {
            Tpu = gke.Tpu with { MachineType = machineType, Topology = topology, Spot = spot, Provisioning = provisioning },
        });
        var family = model == "gemma"
            ? spec.Model with { Load = load, Source = load == ModelSpec.LoadServer ? "hf://google/gemma-7b-it" : spec.Model.Source }
            : new ModelSpec { Family = "llama-3", Size = "8b", Source = "hf://meta-llama/Meta-Llama-3-8B", Load = load };
        return spec with { Model = family };
    }
}
