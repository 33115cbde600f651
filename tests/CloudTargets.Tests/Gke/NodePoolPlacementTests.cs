using System.Text.Json.Nodes;
using CloudTargets.Google;
using CloudTargets.Tests.Infrastructure;
using Contracts;
using Contracts.Specs;

namespace CloudTargets.Tests.Gke;

/// <summary><c>nodepool.ensure</c> with <c>tpu.zones</c>, Spot and flex-start, against the fake GKE (which checks each
/// body against the GKE schema and refuses a flex-start pool without what GKE requires alongside).</summary>
public sealed class NodePoolPlacementTests : IAsyncLifetime
{
    private const string Pools = "/container/v1/projects/demo-project/locations/us-west4/clusters/jetstream/nodePools";
    private const string PoolPath = "projects/demo-project/locations/us-west4/clusters/jetstream/nodePools/tpu-pool";
    private CloudHarness _h = null!;

    public async Task InitializeAsync() => _h = await CloudHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private RolloutSpec Spec(Func<TpuSpec, TpuSpec> tpu) =>
        Specs.Gke(_h.TokenFile, change: g => g with { Tpu = tpu(g.Tpu) });

    [Fact]
    public async Task NodePoolEnsure_FirstZoneStockedOut_DeletesTheFailedPoolAndCreatesItInTheNextZone()
    {
        var spec = Spec(t => t with { Zones = ["us-west4-a", "us-west4-b"] });
        await ClusterAsync(spec);
        _h.Google.StockedOutZones.Add("us-west4-a");

        var (result, log) = await _h.RunAsync(spec, StepKinds.NodePoolEnsure);

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error + "\n" + log.Text);
        var creates = _h.Google.Calls.Where(c => c.Method == "POST" && c.Path == Pools).ToList();
        Assert.Equal(["us-west4-a", "us-west4-b"], creates.Select(c => (string?)c.Body!["nodePool"]!["locations"]![0]).ToList());
        var gke = new GkeRequests(_h.Google.Endpoints, GkeTarget.From(spec));
        Assert.True(JsonNode.DeepEquals(gke.CreateNodePool("us-west4-b").Body, creates[1].Body));
        // The pool GKE left in ERROR was deleted before the name was used again.
        var delete = Assert.Single(_h.Google.Calls, c => c.Method == "DELETE" && c.Path == Pools + "/tpu-pool");
        Assert.True(_h.Google.Calls.ToList().IndexOf(delete) < _h.Google.Calls.ToList().IndexOf(creates[1]));
        Assert.Equal("RUNNING", (string?)_h.Google.NodePool(PoolPath)!["status"]);
        Assert.Equal("us-west4-b", (string?)result.Outputs!["zone"]);
        Assert.Contains("zone us-west4-a has no ct5lp-hightpu-8t capacity", log.Text, StringComparison.Ordinal);
        Assert.Contains("GCE_STOCKOUT", log.Text, StringComparison.Ordinal);
        Assert.Contains("trying us-west4-b, next in tpu.zones", log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodePoolEnsure_EveryZoneStockedOut_FailsNamingEachZoneAndItsError()
    {
        var spec = Spec(t => t with { Zones = ["us-west4-a", "us-west4-b"] });
        await ClusterAsync(spec);
        _h.Google.StockedOutZones.UnionWith(["us-west4-a", "us-west4-b"]);

        var (result, log) = await _h.RunAsync(spec, StepKinds.NodePoolEnsure);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("in any of tpu.zones", result.Error, StringComparison.Ordinal);
        Assert.Contains("us-west4-a: Google Compute Engine", result.Error, StringComparison.Ordinal);
        Assert.Contains("us-west4-b: Google Compute Engine", result.Error, StringComparison.Ordinal);
        Assert.Contains("zones/us-west4-b' does not have enough resources", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, _h.Google.Count("POST", Pools));
        Assert.Equal(2, _h.Google.Calls.Count(c => c.Method == "DELETE"));
        Assert.Null(_h.Google.NodePool(PoolPath));
    }

    [Fact]
    public async Task NodePoolEnsure_StockedOutPoolLeftByADeadAttempt_MovesOnFromItsZone()
    {
        var spec = Spec(t => t with { Zones = ["us-west4-a", "us-west4-b"] });
        await ClusterAsync(spec);
        // A pool stocked out in us-west4-a, as an attempt that died before it could delete it left it.
        _h.Google.SeedNodePool(PoolPath, new JsonObject
        {
            ["name"] = "tpu-pool", ["locations"] = new JsonArray("us-west4-a"), ["status"] = "ERROR",
            ["statusMessage"] = "[GCE_STOCKOUT]: The zone 'projects/demo-project/zones/us-west4-a' does not have enough resources available to fulfill the request.",
            ["config"] = new JsonObject { ["machineType"] = "ct5lp-hightpu-8t" },
        });

        var (result, log) = await _h.RunAsync(spec, StepKinds.NodePoolEnsure);

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error + "\n" + log.Text);
        Assert.Equal("us-west4-b", (string?)_h.Google.NodePool(PoolPath)!["locations"]![0]);
        Assert.Single(_h.Google.Calls, c => c.Method == "DELETE" && c.Path == Pools + "/tpu-pool");
        Assert.Equal(["us-west4-b"], _h.Google.Calls.Where(c => c.Method == "POST" && c.Path == Pools)
            .Select(c => (string?)c.Body!["nodePool"]!["locations"]![0]).ToList());
    }

    [Fact]
    public async Task NodePoolEnsure_RunnerKilledWhileFirstZoneRuns_NextAttemptResumesItAndMovesOnAfterTheStockOut()
    {
        var spec = Spec(t => t with { Zones = ["us-west4-a", "us-west4-b"] });
        await ClusterAsync(spec);
        _h.Google.StockedOutZones.Add("us-west4-a");
        _h.Google.HoldOperations = true;
        var stepId = Guid.NewGuid();
        using var kill = new CancellationTokenSource();
        var saved = new TaskCompletionSource();
        _h.Progress.Saved += _ => saved.TrySetResult();
        var first = _h.RunAsync(CloudHarness.Claim(spec, StepKinds.NodePoolEnsure, stepId: stepId), kill.Token);
        await saved.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await kill.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var progress = _h.Progress.For(stepId);
        Assert.Equal("us-west4-a", (string?)progress["zone"]);

        _h.Google.HoldOperations = false;
        var (result, log) = await _h.RunAsync(CloudHarness.Claim(spec, StepKinds.NodePoolEnsure, previousOutputs: progress, stepId: stepId));

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error + "\n" + log.Text);
        Assert.Contains($"resuming node pool operation {progress["operation"]}", log.Text, StringComparison.Ordinal);
        Assert.Equal(["us-west4-a", "us-west4-b"], _h.Google.Calls.Where(c => c.Method == "POST" && c.Path == Pools)
            .Select(c => (string?)c.Body!["nodePool"]!["locations"]![0]).ToList());
        Assert.Equal("us-west4-b", (string?)_h.Google.NodePool(PoolPath)!["locations"]![0]);
    }

    [Fact]
    public async Task NodePoolEnsure_QuotaExceeded_FailsWithoutTryingTheNextZone()
    {
        var spec = Spec(t => t with { Zones = ["us-west4-a", "us-west4-b"] });
        await ClusterAsync(spec);
        _h.Google.Inject("POST", "/nodePools", Fakes.Reply.GoogleError(403, "QUOTA_EXCEEDED",
            "Insufficient quota to satisfy the request: TPU v5 Lite PodSlice chips in region us-west4: wanted 16, limit 8."));

        var (result, _) = await _h.RunAsync(spec, StepKinds.NodePoolEnsure);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("Insufficient quota", result.Error, StringComparison.Ordinal);
        Assert.Single(_h.Google.Calls, c => c.Method == "POST" && c.Path == Pools);
    }

    [Fact]
    public async Task NodePoolEnsure_Spot_PoolConfigSpotAndPodsSelectSpotNodes()
    {
        var spec = Spec(t => t with { Spot = true });
        await ClusterAsync(spec);

        var (result, log) = await _h.RunAsync(spec, StepKinds.NodePoolEnsure);

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error + "\n" + log.Text);
        var body = Assert.Single(_h.Google.Calls, c => c.Method == "POST" && c.Path == Pools).Body!["nodePool"]!;
        Assert.True((bool?)body["config"]!["spot"]);
        Assert.Null(body["config"]!["flexStart"]);
        Assert.Equal(2, (int?)body["initialNodeCount"]);
        Assert.Equal("true", (string?)new CloudTargets.Kubernetes.Manifests(spec, "r1").Deployment(2)["spec"]!["template"]!["spec"]!["nodeSelector"]!["cloud.google.com/gke-spot"]);
    }

    [Fact]
    public async Task NodePoolEnsure_FlexStart_AutoscaledFromZeroWithoutReservationOrAutoRepair()
    {
        var spec = Spec(t => t with { Provisioning = TpuSpec.FlexStart });
        await ClusterAsync(spec);

        var (result, log) = await _h.RunAsync(spec, StepKinds.NodePoolEnsure);

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error + "\n" + log.Text);
        var body = Assert.Single(_h.Google.Calls, c => c.Method == "POST" && c.Path == Pools).Body!["nodePool"]!;
        Assert.True((bool?)body["config"]!["flexStart"]);
        Assert.Equal("NO_RESERVATION", (string?)body["config"]!["reservationAffinity"]!["consumeReservationType"]);
        Assert.Equal(0, (int?)body["initialNodeCount"]);
        Assert.True((bool?)body["autoscaling"]!["enabled"]);
        Assert.Equal(2, (int?)body["autoscaling"]!["totalMaxNodeCount"]);
        Assert.Equal("ANY", (string?)body["autoscaling"]!["locationPolicy"]);
        Assert.False((bool?)body["management"]!["autoRepair"]);
        Assert.Null(body["queuedProvisioning"]);
        Assert.Contains("flex-start", log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodePoolEnsure_FlexStartWithoutAutoscaling_RefusedByTheFake()
    {
        var spec = Spec(t => t with { Provisioning = TpuSpec.FlexStart });
        await ClusterAsync(spec);
        var pool = new GkeRequests(_h.Google.Endpoints, GkeTarget.From(spec)).TpuNodePool(Specs.Zone);
        pool.Remove("autoscaling");

        var reply = await PostAsync(Pools, new JsonObject { ["nodePool"] = pool });

        Assert.Equal(400, reply.Status);
        Assert.Contains("autoscaling.enabled must be true", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodePoolEnsure_UnknownField_RefusedByTheSchema()
    {
        var spec = Spec(t => t);
        await ClusterAsync(spec);
        var pool = new GkeRequests(_h.Google.Endpoints, GkeTarget.From(spec)).TpuNodePool(Specs.Zone);
        pool["config"]!["flexStartMode"] = true;

        var reply = await PostAsync(Pools, new JsonObject { ["nodePool"] = pool });

        Assert.Equal(400, reply.Status);
        Assert.Contains("flexStartMode", reply.Text, StringComparison.Ordinal);
    }

    private async Task ClusterAsync(RolloutSpec spec)
    {
        var (result, log) = await _h.RunAsync(spec, StepKinds.ClusterEnsure);
        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error + "\n" + log.Text);
    }

    private async Task<(int Status, string Text)> PostAsync(string path, JsonObject body)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_h.Google.Address, path))
        {
            Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Fakes.FakeGoogleCloud.AccessToken);
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
