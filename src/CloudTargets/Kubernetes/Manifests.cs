using System.Text;
using System.Text.Json.Nodes;
using CloudTargets.Google;
using Contracts.Specs;

namespace CloudTargets.Kubernetes;

/// <summary>The Kubernetes objects of the manual procedure, as JSON in the API's wire form (what server-side apply
/// receives). Pure: the plan preview shows exactly these, with the secret's value redacted.</summary>
public sealed class Manifests(RolloutSpec spec, string revision)
{
    public const string Redacted = "<redacted>";

    private readonly KubeTarget _target = KubeTarget.From(spec);
    private readonly ModelLayout _model = new(spec);

    public KubeTarget Target => _target;

    public ModelLayout Model => _model;

    /// <param name="token">The Hugging Face token, or null for the redacted form that plans and logs show.</param>
    public JsonObject Secret(string? token) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = Metadata(Names.Secret),
        ["type"] = "Opaque",
        ["data"] = new JsonObject
        {
            [Names.SecretKey] = token is null ? Redacted : Convert.ToBase64String(Encoding.UTF8.GetBytes(token)),
        },
    };

    /// <summary>Only the annotation this product owns: server-side apply leaves the account's other fields alone.</summary>
    public JsonObject ServiceAccountAnnotation(string gcpServiceAccountEmail)
    {
        var metadata = Metadata(_target.ServiceAccount);
        metadata["annotations"] = new JsonObject { [Names.WorkloadIdentityAnnotation] = gcpServiceAccountEmail };
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = metadata };
    }

    public JsonObject ConverterJob()
    {
        var metadata = Metadata(Names.ConverterJob);
        metadata["labels"] = Labels(Names.ConverterJob);
        var container = new JsonObject
        {
            ["name"] = "inference-checkpoint",
            ["image"] = Images.Converter,
            ["args"] = new JsonArray(
                "-s=jetstream-pytorch",
                $"-m={_model.HuggingFaceRepo}",
                $"-o=gs://{_target.Bucket}/{_model.ObjectPrefix}",
                $"-n={_model.ModelName}",
                $"-q={Flag(spec.Engine.QuantizeWeights)}",
                "-h=True"),
            ["volumeMounts"] = new JsonArray(SecretMount()),
            ["resources"] = TpuResources(),
        };
        var podSpec = new JsonObject
        {
            ["serviceAccountName"] = _target.ServiceAccount,
            ["restartPolicy"] = "Never",
            ["nodeSelector"] = NodeSelector(),
            ["containers"] = new JsonArray(container),
            ["volumes"] = new JsonArray(SecretVolume()),
        };
        return new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                // Retries are the orchestrator's (a new attempt of the step), so the Job itself never retries.
                ["backoffLimit"] = 0,
                ["ttlSecondsAfterFinished"] = 3600,
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = Labels(Names.ConverterJob) },
                    ["spec"] = podSpec,
                },
            },
        };
    }

    /// <summary>Whether <c>checkpoint.convert</c> has work: not when the server downloads the model itself.</summary>
    public bool NeedsConversion => !_model.ServerDownloads;

    /// <param name="checkpointBytes">The converted checkpoint's size from the conversion marker; null: the model's
    /// estimate (the plan preview, or no marker).</param>
    public JsonObject Deployment(int replicas, long? checkpointBytes = null) =>
        DeploymentManifest.Build(this, spec, revision, replicas, LoadBudget(checkpointBytes));

    public LoadBudget LoadBudget(long? checkpointBytes) => Kubernetes.LoadBudget.For(_model, checkpointBytes);

    /// <summary>Null unless the spec autoscales: see <see cref="AutoscalingManifests"/>.</summary>
    public JsonObject? HorizontalPodAutoscaler() =>
        spec.Engine.Autoscaling is { } autoscaling ? AutoscalingManifests.HorizontalPodAutoscaler(this, revision, autoscaling) : null;

    /// <summary>Null unless the spec autoscales: the scrape config the HPA's metric comes from.</summary>
    public JsonObject? PodMonitoring() =>
        spec.Engine.Autoscaling is not null ? AutoscalingManifests.PodMonitoring(this, revision) : null;

    public JsonObject Service() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = Metadata(Names.Service),
        ["spec"] = new JsonObject
        {
            // The app label only: every revision's pods are behind the Service; replica counts set the split.
            ["selector"] = new JsonObject { [Names.AppLabel] = Names.App },
            ["ports"] = new JsonArray(new JsonObject
            {
                ["name"] = "jetstream-http",
                ["protocol"] = "TCP",
                ["port"] = Names.HttpPort,
                ["targetPort"] = Names.HttpPort,
            }),
        },
    };

    internal JsonObject Metadata(string name) => new() { ["name"] = name, ["namespace"] = _target.Namespace };

    internal JsonObject Labels(string app) => new() { [Names.AppLabel] = app, [Names.RevisionLabel] = revision };

    /// <summary>A <c>gke</c> target in Autopilot mode: no node pool, the pods' selectors and requests pick the nodes.</summary>
    internal bool Autopilot => spec.Target.Gke is { } gke && spec.Target.Kind == TargetKinds.Gke && gke.Mode != "standard";

    private TpuSpec Tpu => spec.Target.Gke?.Tpu ?? new TpuSpec();

    /// <summary>The labels GKE puts on TPU slice nodes; on Autopilot they are what provisions them. Spot and flex-start
    /// nodes carry <c>cloud.google.com/gke-spot</c> / <c>gke-flex-start</c>: on Autopilot the selector asks for them,
    /// on Standard it keeps the pods on the pool made that way.</summary>
    internal JsonObject NodeSelector()
    {
        var tpu = Tpu;
        var selector = new JsonObject
        {
            ["cloud.google.com/gke-tpu-topology"] = tpu.Topology,
            ["cloud.google.com/gke-tpu-accelerator"] = TpuCatalog.Accelerator,
        };
        if (tpu.Spot)
        {
            selector["cloud.google.com/gke-spot"] = "true";
        }

        if (tpu.Provisioning == TpuSpec.FlexStart)
        {
            selector["cloud.google.com/gke-flex-start"] = "true";
        }

        return selector;
    }

    /// <summary>A pod holds one TPU host: the chips of the machine type (Standard, and <c>kubernetes</c> targets) or of
    /// the host Autopilot picks for the topology.</summary>
    internal JsonObject TpuResources()
    {
        var tpu = Tpu;
        var chips = TpuCatalog.ChipsPerPod(!Autopilot, tpu.MachineType, tpu.Topology).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["requests"] = new JsonObject { ["google.com/tpu"] = chips },
            ["limits"] = new JsonObject { ["google.com/tpu"] = chips },
        };
    }

    internal static JsonObject SecretMount() => new()
    {
        ["mountPath"] = "/huggingface/",
        ["name"] = "huggingface-credentials",
        ["readOnly"] = true,
    };

    // 0400: only the container's user reads the token.
    internal static JsonObject SecretVolume() => new()
    {
        ["name"] = "huggingface-credentials",
        ["secret"] = new JsonObject { ["secretName"] = Names.Secret, ["defaultMode"] = 256 },
    };

    internal static string Flag(bool value) => value ? "True" : "False";
}
