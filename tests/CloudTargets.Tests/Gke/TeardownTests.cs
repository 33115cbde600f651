using Runner.Agent;
using CloudTargets.Tests.Infrastructure;
using Contracts;
using Runner.Gke;

namespace CloudTargets.Tests.Gke;

public sealed class TeardownTests : IAsyncLifetime
{
    private CloudHarness _h = null!;

    public async Task InitializeAsync() => _h = await CloudHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Teardown_RemovesClusterServiceAccountAndBucket_ThenToleratesWhatIsGone()
    {
        var spec = Specs.Gke(_h.TokenFile, mode: "autopilot");
        foreach (var kind in new[] { StepKinds.ClusterEnsure, StepKinds.BucketEnsure, StepKinds.IdentityEnsure })
        {
            var (result, _) = await _h.RunAsync(spec, kind);
            Assert.True(result.Outcome == StepStatuses.Succeeded, $"{kind}: {result.Error}");
        }

        _h.Google.PutObject(Specs.Bucket, "pytorch/gemma-7b-it/final/bf16/model.safetensors", 10);
        var teardown = _h.Get<GkeTeardown>();
        var log = new RecordingLog();
        using var stop = new CancellationTokenSource();
        using var workStop = new WorkStop(stop);
        var step = new GkeStep(new StepContext(CloudHarness.Claim(spec, "teardown"), log, workStop), _h.Get<GcpOptions>());

        await teardown.RunAsync(step, CancellationToken.None);

        Assert.Null(_h.Google.Cluster("projects/demo-project/locations/us-west4/clusters/jetstream"));
        Assert.False(_h.Google.ServiceAccountExists("wi-jetstream@demo-project.iam.gserviceaccount.com"));
        Assert.Null(_h.Google.Bucket(Specs.Bucket));

        // The step kind the orchestrator plans for a teardown runs the same, and what is gone counts as done.
        var (second, again) = await _h.RunAsync(spec, StepKinds.Teardown);
        Assert.True(second.Outcome == StepStatuses.Succeeded, second.Error);
        Assert.Contains("cluster jetstream is already gone", again.Text, StringComparison.Ordinal);
        Assert.Contains("is already gone", again.Lines[1], StringComparison.Ordinal);
        Assert.Contains($"bucket gs://{Specs.Bucket} is already gone", again.Text, StringComparison.Ordinal);
    }
}
