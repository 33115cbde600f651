using System.Text.Json.Nodes;
using CloudTargets.Google;
using CloudTargets.Tests.Fakes;
using CloudTargets.Tests.Infrastructure;
using Contracts;

namespace CloudTargets.Tests.Gke;

public sealed class GkeFaultTests : IAsyncLifetime
{
    private const string Clusters = "/container/v1/projects/demo-project/locations/us-west4/clusters";
    private CloudHarness _h = null!;

    public async Task InitializeAsync() => _h = await CloudHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task ClusterEnsure_RunnerKilledWhileOperationRunning_NextAttemptPollsTheSameOperation()
    {
        var spec = Specs.Gke(_h.TokenFile);
        var stepId = Guid.NewGuid();
        _h.Google.HoldOperations = true;
        using var kill = new CancellationTokenSource();
        var running = new TaskCompletionSource();
        _h.Progress.Saved += _ => running.TrySetResult();
        var first = _h.RunAsync(CloudHarness.Claim(spec, StepKinds.ClusterEnsure, stepId: stepId), kill.Token);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await Eventually(() => _h.Google.Calls.Count(c => c.Path.Contains("/operations/", StringComparison.Ordinal)) >= 2);
        await kill.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var saved = _h.Progress.For(stepId);
        var operation = (string?)saved["operation"];
        Assert.NotNull(operation);
        Assert.Equal("PROVISIONING", (string?)_h.Google.Cluster("projects/demo-project/locations/us-west4/clusters/jetstream")!["status"]);

        _h.Google.HoldOperations = false;
        var (result, log) = await _h.RunAsync(CloudHarness.Claim(spec, StepKinds.ClusterEnsure, previousOutputs: saved, stepId: stepId));

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error + "\n" + log.Text);
        Assert.Equal(1, _h.Google.Count("POST", Clusters));
        Assert.Contains(_h.Google.Calls, c => c.Path.EndsWith($"/operations/{operation}", StringComparison.Ordinal) && c.Status == 200);
        Assert.Contains($"resuming cluster operation {operation}", log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterAndNodePool_RateLimitedAndAnotherOperationRunning_RetriedAndSucceed()
    {
        var spec = Specs.Gke(_h.TokenFile);
        _h.Google.Inject("POST", "/clusters", Reply.GoogleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Requests'"), times: 2);
        _h.Google.Inject("POST", "/nodePools", Reply.GoogleError(400, "FAILED_PRECONDITION",
            "Cluster is running incompatible operation operation-1234-abcd."), times: 2);

        var (cluster, clusterLog) = await _h.RunAsync(spec, StepKinds.ClusterEnsure);
        var (pool, poolLog) = await _h.RunAsync(spec, StepKinds.NodePoolEnsure);

        Assert.True(cluster.Outcome == StepStatuses.Succeeded, cluster.Error);
        Assert.True(pool.Outcome == StepStatuses.Succeeded, pool.Error);
        Assert.Equal(3, _h.Google.Count("POST", Clusters + "/jetstream/nodePools"));
        Assert.Equal(3, _h.Google.Calls.Count(c => c.Method == "POST" && c.Path == Clusters));
        Assert.Single(_h.Google.Calls, c => c.Method == "POST" && c.Path == Clusters && c.Status == 200);
        Assert.Contains("429 RESOURCE_EXHAUSTED, retrying", clusterLog.Text, StringComparison.Ordinal);
        Assert.Contains("FAILED_PRECONDITION, retrying", poolLog.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdentityEnsure_ProjectPolicyChangedConcurrently_RedoneWithoutLosingOtherMembers()
    {
        var spec = Specs.Gke(_h.TokenFile);
        Assert.Equal(StepStatuses.Succeeded, (await _h.RunAsync(spec, StepKinds.ClusterEnsure)).Result.Outcome);
        _h.Google.ConcurrentProjectPolicyWrites = 2;

        var (result, log) = await _h.RunAsync(spec, StepKinds.IdentityEnsure);

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error + "\n" + log.Text);
        var policy = _h.Google.Policy("projects/demo-project");
        var member = "serviceAccount:wi-jetstream@demo-project.iam.gserviceaccount.com";
        Assert.True(PolicyBindings.Has(policy, "roles/storage.objectUser", member));
        Assert.True(PolicyBindings.Has(policy, "roles/storage.insightsCollectorService", member));
        Assert.True(PolicyBindings.Has(policy, "roles/viewer", FakeGoogleCloud.OtherMember));
        Assert.True(PolicyBindings.Has(policy, "roles/owner", "user:owner@example.com"));
        Assert.Equal(2, _h.Google.Calls.Count(c => c.Path.EndsWith(":setIamPolicy", StringComparison.Ordinal) && c.Status == 409));
        Assert.Contains("etag conflict", log.Text, StringComparison.Ordinal);
        // The new account was invisible for a while: the step waited instead of failing.
        Assert.True(_h.Google.Calls.Count(c => c.Method == "GET" && c.Path.Contains("/serviceAccounts/", StringComparison.Ordinal) && c.Status == 404) >= 2);
    }

    [Fact]
    public async Task NodePoolEnsure_TpuStockOut_FailsNamingZoneAndMachineType()
    {
        var spec = Specs.Gke(_h.TokenFile);
        Assert.Equal(StepStatuses.Succeeded, (await _h.RunAsync(spec, StepKinds.ClusterEnsure)).Result.Outcome);
        _h.Google.TpuStockOut = true;

        var (result, _) = await _h.RunAsync(spec, StepKinds.NodePoolEnsure);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("ct5lp-hightpu-8t", result.Error, StringComparison.Ordinal);
        Assert.Contains("us-west4-a", result.Error, StringComparison.Ordinal);
        Assert.Contains("ZONE_RESOURCE_POOL_EXHAUSTED", result.Error, StringComparison.Ordinal);
        Assert.Single(_h.Google.Calls, c => c.Method == "POST" && c.Path.EndsWith("/nodePools", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClusterEnsure_OperationFails_ErrorSurfaced()
    {
        _h.Google.FailNextClusterOperation = "Insufficient regional quota to satisfy request: resource \"CPUS\": request requires '12.0' and is short '4.0'.";

        var (result, _) = await _h.RunAsync(Specs.Gke(_h.TokenFile), StepKinds.ClusterEnsure);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("Insufficient regional quota", result.Error, StringComparison.Ordinal);
        Assert.Contains("jetstream", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterEnsure_CreatedMeanwhile409AlreadyExists_AdoptsIt()
    {
        var spec = Specs.Gke(_h.TokenFile);
        _h.Google.SeedCluster("projects/demo-project/locations/us-west4", new GkeRequests(_h.Google.Endpoints, GkeTarget.From(spec)).ClusterBody());
        // The first look-up misses it (created by someone else a moment later): the create answers 409 ALREADY_EXISTS.
        _h.Google.Inject("GET", "/clusters/jetstream", Reply.NotFound("Cluster"));

        var (result, log) = await _h.RunAsync(spec, StepKinds.ClusterEnsure);

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error);
        Assert.Single(_h.Google.Calls, c => c.Method == "POST" && c.Path == Clusters && c.Status == 409);
        Assert.Contains("already exists: adopting it", log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterEnsure_ExistingClusterIncompatible_FailsNamingTheSettings()
    {
        var spec = Specs.Gke(_h.TokenFile);
        var autopilot = new GkeRequests(_h.Google.Endpoints, GkeTarget.From(Specs.Gke(_h.TokenFile, mode: "autopilot"))).ClusterBody();
        autopilot.Remove("workloadIdentityConfig");
        _h.Google.SeedCluster("projects/demo-project/locations/us-west4", autopilot);

        var (result, _) = await _h.RunAsync(spec, StepKinds.ClusterEnsure);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("mode: wanted standard, found autopilot", result.Error, StringComparison.Ordinal);
        Assert.Contains("workloadIdentityConfig.workloadPool", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, _h.Google.Count("POST", Clusters));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 60 s");
            await Task.Delay(20);
        }
    }
}
