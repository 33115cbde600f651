using System.Net;
using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using CloudTargets.Tests.Infrastructure;
using Contracts;
using Contracts.Specs;
using k8s;
using Runner.Kubernetes;

namespace CloudTargets.Tests.Kubernetes;

/// <summary><c>engine.autoscaling</c> on Kubernetes: each revision's PodMonitoring comes with its Deployment; its
/// HorizontalPodAutoscaler with its promotion, targeting its own Deployment on the GMP metric; a canary's split holds the
/// stable's HPA; a rollback gives the range back; promotion, rollback and cleanup remove what belongs to the revision.</summary>
public sealed class AutoscalingTests : IAsyncLifetime
{
    private const string Ns = "default";
    private CloudHarness _h = null!;

    public async Task InitializeAsync() => _h = await CloudHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private RolloutSpec Spec(string metric = AutoscalingMetrics.PrefillBacklog, double target = 10) =>
        Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile) is var spec
            ? spec with { Engine = spec.Engine with { Replicas = 2, Autoscaling = new AutoscalingSpec { MinReplicas = 1, MaxReplicas = 4, Metric = metric, Target = target, ScaleDownStabilization = "30s" } } }
            : throw new InvalidOperationException();

    private JsonObject? Hpa(string revision) => _h.Kube.Get("horizontalpodautoscalers", Ns, $"jetstream-pytorch-server-{revision}");

    private JsonObject? Monitoring(string revision) => _h.Kube.Get("podmonitorings", Ns, $"jetstream-pytorch-server-{revision}");

    private Task Step(RolloutSpec spec, string kind, string revision, JsonObject? parameters, JsonObject state) =>
        _h.StepAsync(spec, kind, revision, parameters, state);

    [Theory]
    [InlineData(AutoscalingMetrics.PrefillBacklog, 10, "prometheus.googleapis.com|jetstream_prefill_backlog_size|gauge", "10")]
    [InlineData(AutoscalingMetrics.SlotsUsed, 60, "prometheus.googleapis.com|jetstream_slots_used_percentage|gauge", "600m")]
    public async Task FirstRevision_MonitoringAtDeploy_HpaAtPromote_OnItsDeploymentAndMetric(string metric, double target, string metricName, string averageValue)
    {
        var spec = Spec(metric, target);
        var state = new JsonObject();

        await Step(spec, StepKinds.EngineDeploy, "r1", null, state);
        Assert.NotNull(Monitoring("r1"));
        Assert.Null(Hpa("r1"));
        await Step(spec, StepKinds.TrafficShift, "r1", new JsonObject { ["weight"] = 100 }, state);
        await Step(spec, StepKinds.RevisionPromote, "r1", null, state);

        var hpa = Hpa("r1")!;
        Assert.Equal("autoscaling/v2", (string?)hpa["apiVersion"]);
        Assert.Equal("Deployment", (string?)hpa["spec"]!["scaleTargetRef"]!["kind"]);
        Assert.Equal("jetstream-pytorch-server-r1", (string?)hpa["spec"]!["scaleTargetRef"]!["name"]);
        Assert.Equal((1, 4), ((int)hpa["spec"]!["minReplicas"]!, (int)hpa["spec"]!["maxReplicas"]!));
        var pods = hpa["spec"]!["metrics"]![0]!;
        Assert.Equal("Pods", (string?)pods["type"]);
        Assert.Equal(metricName, (string?)pods["pods"]!["metric"]!["name"]);
        Assert.Equal("AverageValue", (string?)pods["pods"]!["target"]!["type"]);
        Assert.Equal(averageValue, (string?)pods["pods"]!["target"]!["averageValue"]);
        Assert.Equal(30, (int)hpa["spec"]!["behavior"]!["scaleDown"]!["stabilizationWindowSeconds"]!);
        var monitoring = Monitoring("r1")!;
        Assert.Equal("r1", (string?)monitoring["spec"]!["selector"]!["matchLabels"]![Fakes.FakeKubernetes.RevisionLabel]);
        Assert.Equal(9000, (int)monitoring["spec"]!["endpoints"]![0]!["port"]!);
        Assert.Equal("/metrics", (string?)monitoring["spec"]!["endpoints"]![0]!["path"]);
    }

    [Fact]
    public async Task Canary_HoldsTheStablesHpaAtItsSplit_PromotionMovesTheHpa_CleanupRemovesTheOldObjects()
    {
        var spec = Spec();
        var state = new JsonObject();
        await Step(spec, StepKinds.EngineDeploy, "r1", null, state);
        await Step(spec, StepKinds.TrafficShift, "r1", new JsonObject { ["weight"] = 100 }, state);
        await Step(spec, StepKinds.RevisionPromote, "r1", null, state);

        await Step(spec, StepKinds.EngineDeploy, "r2", null, state);
        await Step(spec, StepKinds.TrafficShift, "r2", new JsonObject { ["weight"] = 50 }, state);

        var held = Hpa("r1")!;
        Assert.Equal((1, 1), ((int)held["spec"]!["minReplicas"]!, (int)held["spec"]!["maxReplicas"]!));
        Assert.Equal("""{"minReplicas":1,"maxReplicas":4}""", (string?)held["metadata"]!["annotations"]![Names.PinnedAnnotation]);
        Assert.Null(Hpa("r2"));
        Assert.NotNull(Monitoring("r2"));

        await Step(spec, StepKinds.TrafficShift, "r2", new JsonObject { ["weight"] = 100 }, state);
        // Held again, the range it had before the canary is still the one remembered.
        Assert.Equal("""{"minReplicas":1,"maxReplicas":4}""", (string?)Hpa("r1")!["metadata"]!["annotations"]![Names.PinnedAnnotation]);
        await Step(spec, StepKinds.RevisionPromote, "r2", null, state);

        Assert.Null(Hpa("r1"));
        Assert.Equal("jetstream-pytorch-server-r2", (string?)Hpa("r2")!["spec"]!["scaleTargetRef"]!["name"]);
        Assert.Equal(["jetstream-pytorch-server-r2"], _h.Kube.Names("horizontalpodautoscalers"));

        await Step(spec, StepKinds.Cleanup, "r2", new JsonObject { ["keepRevisions"] = 0 }, state);

        Assert.Equal(["jetstream-pytorch-server-r2"], _h.Kube.Names("deployments"));
        Assert.Equal(["jetstream-pytorch-server-r2"], _h.Kube.Names("podmonitorings"));
        Assert.Equal(["jetstream-pytorch-server-r2"], _h.Kube.Names("horizontalpodautoscalers"));
    }

    [Fact]
    public async Task Rollback_GivesTheStableItsRangeBackBeforeScaling_AndRemovesTheCanarysObjects()
    {
        var spec = Spec();
        var state = new JsonObject();
        await Step(spec, StepKinds.EngineDeploy, "r1", null, state);
        await Step(spec, StepKinds.TrafficShift, "r1", new JsonObject { ["weight"] = 100 }, state);
        await Step(spec, StepKinds.RevisionPromote, "r1", null, state);
        await Step(spec, StepKinds.EngineDeploy, "r2", null, state);
        await Step(spec, StepKinds.TrafficShift, "r2", new JsonObject { ["weight"] = 50 }, state);

        await Step(spec, StepKinds.RevisionRollback, "r2", new JsonObject { ["reason"] = "golden prompts disagree" }, state);

        var hpa = Hpa("r1")!;
        Assert.Equal((1, 4), ((int)hpa["spec"]!["minReplicas"]!, (int)hpa["spec"]!["maxReplicas"]!));
        Assert.False(hpa["metadata"]!["annotations"]?.AsObject().ContainsKey(Names.PinnedAnnotation) ?? false);
        Assert.Null(Monitoring("r2"));
        Assert.Equal(["jetstream-pytorch-server-r1"], _h.Kube.Names("podmonitorings"));
        var calls = _h.Kube.Calls.Select(c => $"{c.Method} {c.Path}").ToList();
        var unpinned = calls.FindLastIndex(c => c.StartsWith("PATCH", StringComparison.Ordinal) && c.Contains("horizontalpodautoscalers/jetstream-pytorch-server-r1", StringComparison.Ordinal));
        var stableUp = calls.FindLastIndex(c => c.StartsWith("PATCH", StringComparison.Ordinal) && c.Contains("jetstream-pytorch-server-r1/scale", StringComparison.Ordinal));
        Assert.True(unpinned >= 0 && stableUp > unpinned, string.Join('\n', calls));

        // Again (a new attempt): nothing left to delete or restore is done.
        await Step(spec, StepKinds.RevisionRollback, "r2", null, state);
    }

    [Fact]
    public async Task WithoutAutoscaling_NoHpaNorMonitoring()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        var state = new JsonObject();
        await Step(spec, StepKinds.EngineDeploy, "r1", null, state);
        await Step(spec, StepKinds.TrafficShift, "r1", new JsonObject { ["weight"] = 100 }, state);
        await Step(spec, StepKinds.RevisionPromote, "r1", null, state);

        Assert.Empty(_h.Kube.Names("horizontalpodautoscalers"));
        Assert.Empty(_h.Kube.Names("podmonitorings"));
    }

    [Theory]
    [InlineData("spec", "minReplica", "minReplica")]
    [InlineData("spec.scaleTargetRef", "namespace", "namespace")]
    [InlineData("spec.metrics.0.pods", "selector", "selector")]
    public async Task Apply_HpaWithAFieldItsTypeLacks_Is400NamingTheField(string at, string field, string named)
    {
        var hpa = new Manifests(Spec(), "r1").HorizontalPodAutoscaler()!;
        JsonNode node = hpa;
        foreach (var part in at.Split('.')) node = int.TryParse(part, out var i) ? node[i]! : node[part]!;
        node.AsObject()[field] = "x";
        using var client = new k8s.Kubernetes(KubernetesProvider.Configuration(Spec().Target.Kubernetes!));

        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => KubeApply.ApplyAsync(client, hpa, CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, error.Response.StatusCode);
        Assert.Contains(named, error.Response.Content, StringComparison.Ordinal);
        Assert.Empty(_h.Kube.Names("horizontalpodautoscalers"));
    }

    [Fact]
    public async Task Apply_HpaWithoutScaleTarget_Is422()
    {
        var hpa = new Manifests(Spec(), "r1").HorizontalPodAutoscaler()!;
        hpa["spec"]!.AsObject().Remove("scaleTargetRef");
        using var client = new k8s.Kubernetes(KubernetesProvider.Configuration(Spec().Target.Kubernetes!));

        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => KubeApply.ApplyAsync(client, hpa, CancellationToken.None));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Contains("spec.scaleTargetRef", error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FakeApi_HpaAndPodMonitoring_CreateConflictsGetPatchDeleteAnd404()
    {
        var spec = Spec();
        var manifests = new Manifests(spec, "r1");
        using var client = new k8s.Kubernetes(KubernetesProvider.Configuration(spec.Target.Kubernetes!));
        var hpa = k8s.KubernetesJson.Deserialize<k8s.Models.V2HorizontalPodAutoscaler>(manifests.HorizontalPodAutoscaler()!.ToJsonString());

        await client.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(hpa, Ns);
        var again = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(hpa, Ns));
        Assert.Equal(HttpStatusCode.Conflict, again.Response.StatusCode);
        var read = await client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("jetstream-pytorch-server-r1", Ns);
        Assert.Equal(4, read.Spec.MaxReplicas);
        await client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(
            new k8s.Models.V1Patch("""{"spec":{"maxReplicas":6}}""", k8s.Models.V1Patch.PatchType.MergePatch), "jetstream-pytorch-server-r1", Ns);
        Assert.Equal(6, (int)Hpa("r1")!["spec"]!["maxReplicas"]!);
        await client.AutoscalingV2.DeleteNamespacedHorizontalPodAutoscalerAsync("jetstream-pytorch-server-r1", Ns);
        var gone = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("jetstream-pytorch-server-r1", Ns));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
        var patchGone = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(
            new k8s.Models.V1Patch("""{"spec":{"maxReplicas":6}}""", k8s.Models.V1Patch.PatchType.MergePatch), "jetstream-pytorch-server-r1", Ns));
        Assert.Equal(HttpStatusCode.NotFound, patchGone.Response.StatusCode);

        var monitoring = manifests.PodMonitoring()!;
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(monitoring, "monitoring.googleapis.com", "v1", Ns, "podmonitorings");
        var twice = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            client.CustomObjects.CreateNamespacedCustomObjectAsync(monitoring, "monitoring.googleapis.com", "v1", Ns, "podmonitorings"));
        Assert.Equal(HttpStatusCode.Conflict, twice.Response.StatusCode);
        monitoring["spec"]!["endpoints"]![0]!["scrapeEvery"] = "1s";
        var strict = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new k8s.Models.V1Patch(monitoring.ToJsonString(), k8s.Models.V1Patch.PatchType.ApplyPatch), "monitoring.googleapis.com", "v1", Ns, "podmonitorings",
            "jetstream-pytorch-server-r1", fieldManager: "orchestrator", fieldValidation: "Strict", force: true));
        Assert.Contains(".spec.endpoints[].scrapeEvery: field not declared", strict.Response.Content, StringComparison.Ordinal);
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync("monitoring.googleapis.com", "v1", Ns, "podmonitorings", "jetstream-pytorch-server-r1");
        Assert.Empty(_h.Kube.Names("podmonitorings"));
    }
}
