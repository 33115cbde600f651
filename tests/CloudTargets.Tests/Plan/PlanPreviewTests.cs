using System.Text.Json.Nodes;
using CloudTargets.Plan;
using CloudTargets.Tests.Infrastructure;
using Contracts;

namespace CloudTargets.Tests.Plan;

public sealed class PlanPreviewTests : IAsyncLifetime
{
    private CloudHarness _h = null!;

    public async Task InitializeAsync() => _h = await CloudHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData("runner")]
    [InlineData("cluster")]
    public void Preview_Convert_ShowsTheRunnersResumableUploads_OrTheConverterJob(string conversion)
    {
        var spec = Specs.Gke(_h.TokenFile, change: g => g with { Conversion = conversion }) with
        {
            Model = new Contracts.Specs.ModelSpec { Family = "llama-3", Size = "8b", Source = "hf://meta-llama/Meta-Llama-3-8B" },
        };

        var preview = CloudPlan.Describe(spec, "r1", StepKinds.CheckpointConvert, [], hasStable: false, _h.Google.Endpoints);

        var urls = preview.Requests.Select(r => (string)r!["url"]!).ToList();
        Assert.Equal(conversion == "runner" ? 2 : 0, urls.Count(u => u.Contains("uploadType=resumable", StringComparison.Ordinal)));
        Assert.Equal(conversion == "runner" ? 0 : 1, preview.Manifests.Count(m => (string?)m!["kind"] == "Job"));
        Assert.Contains("uploadType=media", urls[^1], StringComparison.Ordinal); // the marker is written last
    }

    [Fact]
    public async Task Preview_Autoscaled_ShowsThePodMonitoringAtDeployAndTheHpaAtPromote_AsTheRunnerApplies()
    {
        var gke = Specs.Gke(_h.TokenFile);
        var spec = gke with
        {
            Engine = gke.Engine with
            {
                Replicas = 1,
                Autoscaling = new Contracts.Specs.AutoscalingSpec { MaxReplicas = 2, Metric = Contracts.Specs.AutoscalingMetrics.SlotsUsed, Target = 70 },
            },
        };
        var deploy = CloudPlan.Describe(spec, "r1", StepKinds.EngineDeploy, [], hasStable: false, _h.Google.Endpoints);
        var promote = CloudPlan.Describe(spec, "r1", StepKinds.RevisionPromote, [], hasStable: false, _h.Google.Endpoints);
        var state = new JsonObject();
        foreach (var kind in new[] { StepKinds.ClusterEnsure, StepKinds.NodePoolEnsure })
        {
            var (made, _) = await _h.RunAsync(spec, kind);
            Assert.True(made.Outcome == StepStatuses.Succeeded, $"{kind}: {made.Error}");
        }

        await _h.StepAsync(spec, StepKinds.EngineDeploy, "r1", null, state);
        await _h.StepAsync(spec, StepKinds.TrafficShift, "r1", new JsonObject { ["weight"] = 100 }, state);
        await _h.StepAsync(spec, StepKinds.RevisionPromote, "r1", null, state);

        var monitoring = Assert.Single(deploy.Manifests, m => (string?)m!["kind"] == "PodMonitoring")!;
        var hpa = Assert.Single(promote.Manifests)!;
        Assert.Equal("HorizontalPodAutoscaler", (string?)hpa["kind"]);
        Assert.Equal("700m", (string?)hpa["spec"]!["metrics"]![0]!["pods"]!["target"]!["averageValue"]);
        Assert.Contains(_h.Kube.Applied, a => a.Kind == "PodMonitoring" && JsonNode.DeepEquals(a.Body, monitoring));
        Assert.Contains(_h.Kube.Applied, a => a.Kind == "HorizontalPodAutoscaler" && JsonNode.DeepEquals(a.Body, hpa));
    }

    [Fact]
    public async Task Preview_EveryCreateAndManifest_IsExactlyWhatTheRunnerSends()
    {
        var spec = Specs.Gke(_h.TokenFile);
        var kinds = new[]
        {
            StepKinds.ClusterEnsure, StepKinds.NodePoolEnsure, StepKinds.BucketEnsure, StepKinds.IdentityEnsure,
            StepKinds.SecretEnsure, StepKinds.CheckpointConvert, StepKinds.EngineDeploy,
        };
        var previews = kinds.ToDictionary(k => k, k => CloudPlan.Describe(spec, "r1", k, [], hasStable: false, _h.Google.Endpoints));
        foreach (var kind in kinds)
        {
            var (result, _) = await _h.RunAsync(spec, kind);
            Assert.True(result.Outcome == StepStatuses.Succeeded, $"{kind}: {result.Error}");
        }

        var previewed = previews.Values.SelectMany(p => p.Requests).Select(r => r!.AsObject()).ToList();
        foreach (var call in _h.Google.Calls.Where(c => c.Path != "/token" && c.Body is not null && !c.Path.Contains("setIamPolicy", StringComparison.Ordinal)))
        {
            if (call.Path.StartsWith("/upload/", StringComparison.Ordinal))
            {
                // The conversion marker: the preview shows its source; the objects' checksums exist only after the conversion.
                var marker = previewed.Single(r => new Uri((string)r["url"]!).PathAndQuery == call.Path);
                Assert.Equal((string?)marker["body"]!["source"], (string?)call.Body!["source"]);
                Assert.Equal(CloudTargets.Google.CheckpointMarker.ObjectsPlaceholder, (string?)marker["body"]!["objects"]);
                Assert.Equal(2, call.Body!["objects"]!.AsArray().Count);
                continue;
            }

            Assert.Contains(previewed, r => new Uri((string)r["url"]!).PathAndQuery == call.Path && JsonNode.DeepEquals(r["body"], call.Body));
        }

        var previewGets = previewed.Where(r => (string?)r["method"] == "GET").Select(r => new Uri((string)r["url"]!).PathAndQuery);
        Assert.All(previewGets, path => Assert.Contains(_h.Google.Calls, c => c.Method == "GET" && c.Path == path));

        var manifests = previews.Values.SelectMany(p => p.Manifests).Select(m => m!.AsObject()).ToList();
        var applied = _h.Kube.Applied.Select(a => a.Body).ToList();
        Assert.Equal(applied.Count, manifests.Count);
        foreach (var manifest in manifests.Where(m => (string?)m["kind"] is not ("Secret" or "Deployment")))
        {
            Assert.Contains(applied, a => JsonNode.DeepEquals(a, manifest));
        }

        // The startup budget: the preview estimates the checkpoint from the model, the runner reads the marker's size.
        var previewedDeployment = manifests.Single(m => (string?)m["kind"] == "Deployment");
        var appliedDeployment = applied.Single(a => (string?)a!["kind"] == "Deployment")!.AsObject();
        Assert.Contains("17.1 GB (from the model's parameter count)", (string?)previewedDeployment["metadata"]!["annotations"]![CloudTargets.Kubernetes.Names.LoadBudgetAnnotation], StringComparison.Ordinal);
        Assert.Contains("14.0 GB (from the conversion marker)", (string?)appliedDeployment["metadata"]!["annotations"]![CloudTargets.Kubernetes.Names.LoadBudgetAnnotation], StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(WithoutBudget(previewedDeployment), WithoutBudget(appliedDeployment)));

        var secret = manifests.Single(m => (string?)m["kind"] == "Secret");
        Assert.Equal(CloudTargets.Kubernetes.Manifests.Redacted, (string?)secret["data"]!["HUGGINGFACE_TOKEN"]);
        Assert.DoesNotContain(CloudHarness.HuggingFaceToken, new JsonArray([.. manifests.Select(m => m.DeepClone())]).ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Preview_NodePoolWithZones_FirstZoneThenEachFallbackAfterAStockOut()
    {
        var spec = Specs.Gke("/tmp/token", change: g => g with { Tpu = g.Tpu with { Zones = ["us-west4-a", "us-west4-b"] } });

        var preview = CloudPlan.Describe(spec, "r1", StepKinds.NodePoolEnsure, [], hasStable: false);

        var rows = preview.Requests.Select(r => ($"{r!["method"]}", (string?)r["body"]?["nodePool"]?["locations"]?[0], (string?)r["when"])).ToList();
        Assert.Equal([("GET", null, null), ("POST", "us-west4-a", null),
            ("DELETE", null, "zone us-west4-a is stocked out"), ("POST", "us-west4-b", "zone us-west4-a is stocked out")], rows);
    }

    [Fact]
    public void Preview_ServerLoad_NoConversionAndTheDeploymentDownloads()
    {
        var spec = Specs.Gke("/tmp/token");
        spec = spec with { Model = spec.Model with { Load = Contracts.Specs.ModelSpec.LoadServer, Source = "hf://google/gemma-7b-it" } };

        var convert = CloudPlan.Describe(spec, "r1", StepKinds.CheckpointConvert, [], hasStable: false);
        var deploy = CloudPlan.Describe(spec, "r1", StepKinds.EngineDeploy, [], hasStable: false);

        Assert.Empty(convert.Requests);
        Assert.Empty(convert.Manifests);
        var deployment = deploy.Manifests.Single(m => (string?)m!["kind"] == "Deployment")!;
        Assert.Contains("--model_id=google/gemma-7b-it", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => (string?)a));
        Assert.Contains("MB/s from Hugging Face", (string?)deployment["metadata"]!["annotations"]![CloudTargets.Kubernetes.Names.LoadBudgetAnnotation], StringComparison.Ordinal);
    }

    [Fact]
    public void Preview_PublicEndpoints_ShowTheRealUrls()
    {
        var preview = CloudPlan.Describe(Specs.Gke("/tmp/token"), "r1", StepKinds.IdentityEnsure, [], hasStable: false);

        var urls = preview.Requests.Select(r => $"{r!["method"]} {r["url"]}").ToList();
        Assert.Contains("POST https://iam.googleapis.com/v1/projects/demo-project/serviceAccounts", urls);
        Assert.Contains("POST https://cloudresourcemanager.googleapis.com/v1/projects/demo-project:getIamPolicy", urls);
        Assert.Contains("POST https://iam.googleapis.com/v1/projects/demo-project/serviceAccounts/wi-jetstream@demo-project.iam.gserviceaccount.com:getIamPolicy?options.requestedPolicyVersion=3", urls);
        Assert.Null(preview.Requests.Single(r => ((string)r!["url"]!).EndsWith("getIamPolicy?options.requestedPolicyVersion=3", StringComparison.Ordinal))!["body"]);
    }

    private static JsonObject WithoutBudget(JsonObject deployment)
    {
        var copy = deployment.DeepClone().AsObject();
        copy["metadata"]!.AsObject().Remove("annotations");
        copy["spec"]!["template"]!["spec"]!["containers"]![1]!["startupProbe"]!.AsObject().Remove("failureThreshold");
        copy["spec"]!.AsObject().Remove("progressDeadlineSeconds");
        return copy;
    }

    [Fact]
    public void Yaml_Deployment_ReadsLikeKubectl()
    {
        var deployment = new CloudTargets.Kubernetes.Manifests(Specs.Gke("/tmp/token"), "r1").Deployment(2);

        var yaml = YamlText.Write(deployment);

        Assert.StartsWith("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: jetstream-pytorch-server-r1\n", yaml, StringComparison.Ordinal);
        Assert.Contains("\n  replicas: 2\n", yaml, StringComparison.Ordinal);
        Assert.Contains("gke-gcsfuse/volumes: \"true\"", yaml, StringComparison.Ordinal);
        Assert.Contains("      - name: jetstream-pytorch-server\n", yaml, StringComparison.Ordinal);
        Assert.Contains("        - --size=7b\n", yaml, StringComparison.Ordinal);
        var secret = YamlText.Write(new CloudTargets.Kubernetes.Manifests(Specs.Gke("/tmp/token"), "r1").Secret(token: null));
        Assert.Contains("  HUGGINGFACE_TOKEN: \"<redacted>\"\n", secret, StringComparison.Ordinal);
    }
}
