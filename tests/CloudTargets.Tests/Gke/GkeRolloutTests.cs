using System.Text.Json.Nodes;
using CloudTargets.Google;
using CloudTargets.Kubernetes;
using CloudTargets.Tests.Infrastructure;
using Contracts;
using Contracts.Specs;

namespace CloudTargets.Tests.Gke;

public sealed class GkeRolloutTests : IAsyncLifetime
{
    /// <summary>What the harness's converter uploads: model.safetensors and tokenizer.model.</summary>
    private const long ConvertedBytes = 14_000_000_000 + 4_241_003;

    private CloudHarness _h = null!;

    /// <summary>The planner's order for a Standard gke rollout without canary.</summary>
    private static readonly (string Kind, JsonObject? Parameters)[] Plan =
    [
        (StepKinds.ClusterEnsure, null), (StepKinds.NodePoolEnsure, null), (StepKinds.BucketEnsure, null),
        (StepKinds.IdentityEnsure, null), (StepKinds.SecretEnsure, null), (StepKinds.CheckpointConvert, null),
        (StepKinds.EngineDeploy, null), (StepKinds.TrafficShift, new JsonObject { ["weight"] = 100 }),
        (StepKinds.RevisionPromote, null), (StepKinds.Cleanup, new JsonObject { ["keepRevisions"] = 1 }),
    ];

    public async Task InitializeAsync() => _h = await CloudHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task FullRollout_FromNothing_CreatesEachResourceOnceInOrderWithThePlannedBodies()
    {
        var spec = Specs.Gke(_h.TokenFile);
        await RunPlanAsync(spec, expectSkippedConvert: false);

        var target = GkeTarget.From(spec);
        var endpoints = _h.Google.Endpoints;
        var gke = new GkeRequests(endpoints, target);
        var iam = new IamRequests(endpoints, target);
        var creates = _h.Google.Calls.Where(c => c.Method == "POST" && c.Status == 200 && c.Path != "/token" && !c.Path.Contains("IamPolicy", StringComparison.Ordinal)
            && !c.Path.StartsWith("/upload/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["/container/v1/projects/demo-project/locations/us-west4/clusters",
            "/container/v1/projects/demo-project/locations/us-west4/clusters/jetstream/nodePools",
            "/storage/v1/b?project=demo-project",
            "/iam/v1/projects/demo-project/serviceAccounts"], creates.Select(c => c.Path.Split("&")[0]).ToList());
        Assert.True(JsonNode.DeepEquals(gke.CreateCluster().Body, creates[0].Body), creates[0].Body!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(gke.CreateNodePool(Specs.Zone).Body, creates[1].Body), creates[1].Body!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(new StorageRequests(endpoints, target).BucketBody(), creates[2].Body), creates[2].Body!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(iam.CreateServiceAccount().Body, creates[3].Body));

        // Deprecated cluster fields are never sent: node pools carry the machines.
        var cluster = creates[0].Body!["cluster"]!.AsObject();
        Assert.False(cluster.ContainsKey("initialNodeCount") || cluster.ContainsKey("nodeConfig") || cluster.ContainsKey("enableTpu"));
        Assert.Equal("demo-project.svc.id.goog", (string?)cluster["workloadIdentityConfig"]!["workloadPool"]);
        Assert.True((bool?)cluster["addonsConfig"]!["gcsFuseCsiDriverConfig"]!["enabled"]);

        var project = _h.Google.Policy("projects/demo-project");
        var member = "serviceAccount:wi-jetstream@demo-project.iam.gserviceaccount.com";
        Assert.True(PolicyBindings.Has(project, "roles/storage.objectUser", member));
        Assert.True(PolicyBindings.Has(project, "roles/storage.insightsCollectorService", member));
        Assert.True(PolicyBindings.Has(project, "roles/owner", "user:owner@example.com"));
        var accountPolicy = _h.Google.Policy("projects/demo-project/serviceAccounts/wi-jetstream@demo-project.iam.gserviceaccount.com");
        Assert.True(PolicyBindings.Has(accountPolicy, "roles/iam.workloadIdentityUser", "serviceAccount:demo-project.svc.id.goog[default/default]"));
        // IAM's serviceAccounts.getIamPolicy went without a body, the version in the query string.
        var getPolicy = _h.Google.Calls.First(c => c.Path.Contains("serviceAccounts/wi-jetstream@demo-project.iam.gserviceaccount.com:getIamPolicy", StringComparison.Ordinal));
        Assert.Null(getPolicy.Body);
        Assert.Contains("options.requestedPolicyVersion=3", getPolicy.Path, StringComparison.Ordinal);

        var manifests = new Manifests(spec, "r1");
        var applied = _h.Kube.Applied;
        Assert.Equal(["ServiceAccount", "Secret", "Job", "Service", "Deployment"], applied.Select(a => a.Kind).ToList());
        Assert.True(JsonNode.DeepEquals(manifests.ConverterJob(), applied[2].Body));
        // The startup probe's budget comes from the size the conversion marker recorded.
        Assert.True(JsonNode.DeepEquals(manifests.Deployment(2, ConvertedBytes), applied[4].Body), applied[4].Body.ToJsonString());
        Assert.True(JsonNode.DeepEquals(manifests.Service(), applied[3].Body));
        var account = _h.Kube.Get("serviceaccounts", "default", "default")!;
        Assert.Equal("wi-jetstream@demo-project.iam.gserviceaccount.com", (string?)account["metadata"]!["annotations"]!["iam.gke.io/gcp-service-account"]);
        Assert.Equal("platform-team", (string?)account["metadata"]!["annotations"]!["example.com/owner"]);
        Assert.Equal(2, (int?)_h.Kube.Get("deployments", "default", "jetstream-pytorch-server-r1")!["spec"]!["replicas"]);

        // Progress as the steps last reported it: the operations' state and time, the replicas ready.
        var clusterProgress = _h.LastProgress[StepKinds.ClusterEnsure]!;
        Assert.Equal(("seconds", (double?)null), (clusterProgress.Unit, clusterProgress.Total));
        Assert.StartsWith("CREATE_CLUSTER DONE, ", clusterProgress.Message, StringComparison.Ordinal);
        Assert.StartsWith("CREATE_NODE_POOL DONE, ", _h.LastProgress[StepKinds.NodePoolEnsure]!.Message, StringComparison.Ordinal);
        var deployed = _h.LastProgress[StepKinds.EngineDeploy]!;
        Assert.Equal((2d, 2d, "replicas"), (deployed.Done, deployed.Total!.Value, deployed.Unit));
    }

    [Fact]
    public async Task FullRollout_Autopilot_NoNodePoolAndPodsAskForTheSliceBySelectorsAndChips()
    {
        var spec = Specs.Gke(_h.TokenFile, mode: "autopilot", change: g => g with { Location = "" });
        await RunPlanAsync(spec, expectSkippedConvert: false, autopilot: true);

        var creates = _h.Google.Calls.Where(c => c.Method == "POST" && c.Status == 200 && c.Path.StartsWith("/container/", StringComparison.Ordinal)).ToList();
        var cluster = Assert.Single(creates).Body!["cluster"]!.AsObject();
        Assert.True((bool?)cluster["autopilot"]!["enabled"]);
        Assert.False(cluster.ContainsKey("nodePools"));
        Assert.Equal(0, _h.Google.Count("POST", "/nodePools"));
        Assert.True((bool?)cluster["addonsConfig"]!["gcsFuseCsiDriverConfig"]!["enabled"]);

        var manifests = new Manifests(spec, "r1");
        var applied = _h.Kube.Applied;
        Assert.Equal(["ServiceAccount", "Secret", "Job", "Service", "Deployment"], applied.Select(a => a.Kind).ToList());
        Assert.True(JsonNode.DeepEquals(manifests.ConverterJob(), applied[2].Body));
        Assert.True(JsonNode.DeepEquals(manifests.Deployment(2, ConvertedBytes), applied[4].Body), applied[4].Body.ToJsonString());
        foreach (var pod in new[] { applied[2].Body!["spec"]!["template"]!, applied[4].Body!["spec"]!["template"]! })
        {
            var selector = pod["spec"]!["nodeSelector"]!.AsObject();
            Assert.Equal("tpu-v5-lite-podslice", (string?)selector["cloud.google.com/gke-tpu-accelerator"]);
            Assert.Equal("2x4", (string?)selector["cloud.google.com/gke-tpu-topology"]);
            Assert.Equal(2, selector.Count);
            var resources = pod["spec"]!["containers"]![0]!["resources"]!;
            Assert.Equal("8", (string?)resources["requests"]!["google.com/tpu"]);
            Assert.Equal("8", (string?)resources["limits"]!["google.com/tpu"]);
        }

        // Autopilot fixes every container's resources: the FUSE sidecar gets ephemeral storage for the file cache.
        var annotations = applied[4].Body!["spec"]!["template"]!["metadata"]!["annotations"]!;
        Assert.Equal("15Gi", (string?)annotations["gke-gcsfuse/ephemeral-storage-limit"]);
        Assert.Null(annotations["gke-gcsfuse/memory-limit"]);
        Assert.Equal(2, (int?)_h.Kube.Get("deployments", "default", "jetstream-pytorch-server-r1")!["spec"]!["replicas"]);
    }

    [Fact]
    public async Task ClusterEnsure_AutopilotRequestWithNodePools_RefusedByTheFake()
    {
        var spec = Specs.Gke(_h.TokenFile, mode: "autopilot");
        var body = new GkeRequests(_h.Google.Endpoints, GkeTarget.From(spec)).CreateCluster().Body!;
        body["cluster"]!["nodePools"] = new JsonArray(new JsonObject { ["name"] = "default-pool", ["initialNodeCount"] = 1 });
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_h.Google.Endpoints.Container, "v1/projects/demo-project/locations/us-west4/clusters"))
        {
            Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Fakes.FakeGoogleCloud.AccessToken);

        using var response = await http.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("cluster.nodePools", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FullRollout_RunTwice_SecondRunChangesNothing()
    {
        var spec = Specs.Gke(_h.TokenFile);
        await RunPlanAsync(spec, expectSkippedConvert: false);
        var googleCalls = _h.Google.Calls.Count;
        var writes = Writes(_h.Google.Calls);
        var versions = Versions();

        await RunPlanAsync(spec, expectSkippedConvert: true);

        Assert.Equal(writes, Writes(_h.Google.Calls));
        Assert.True(_h.Google.Calls.Count > googleCalls);
        Assert.Equal(versions, Versions());
        Assert.Equal(1, _h.Kube.Applied.Count(a => a.Kind == "Job"));
    }

    private static int Writes(IEnumerable<Fakes.RecordedCall> calls) =>
        calls.Count(c => c.Method is "POST" or "DELETE" or "PUT" && !c.Path.Contains("getIamPolicy", StringComparison.Ordinal) && !c.Path.EndsWith("/token", StringComparison.Ordinal));

    private string Versions() => string.Join(",", new[] { "secrets", "serviceaccounts", "services", "deployments", "jobs" }
        .SelectMany(r => _h.Kube.Names(r).Select(n => $"{r}/{n}@{_h.Kube.Get(r, "default", n)!["metadata"]!["resourceVersion"]}")));

    private async Task RunPlanAsync(RolloutSpec spec, bool expectSkippedConvert, bool autopilot = false)
    {
        var environment = new JsonObject();
        foreach (var (kind, parameters) in Plan)
        {
            var (result, log) = await _h.RunAsync(spec, kind, "r1", parameters, environment.DeepClone().AsObject());
            var skipped = (kind == StepKinds.CheckpointConvert && expectSkippedConvert) || (kind == StepKinds.NodePoolEnsure && autopilot);
            var expected = skipped ? StepStatuses.Skipped : StepStatuses.Succeeded;
            Assert.True(expected == result.Outcome, $"{kind}: {result.Outcome} {result.Error}\n{log.Text}");
            Assert.DoesNotContain(CloudHarness.HuggingFaceToken, log.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(CloudHarness.HuggingFaceToken, result.Outputs?.ToJsonString() ?? "", StringComparison.Ordinal);
            if (result.Outputs?["environment"] is JsonObject state)
            {
                foreach (var (key, value) in state)
                {
                    environment[key] = value?.DeepClone();
                }
            }
        }
    }
}
