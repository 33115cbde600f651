using System.Text.Json.Nodes;
using CloudTargets.Tests.Infrastructure;
using Contracts;

namespace CloudTargets.Tests.Kubernetes;

public sealed class KubernetesStepTests : IAsyncLifetime
{
    private const string Bucket = "demo-project-jetstream";
    private const string Prefix = "pytorch/gemma-7b-it/final/bf16/";
    private CloudHarness _h = null!;

    public async Task InitializeAsync() => _h = await CloudHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task CheckpointConvert_JobFails_FailsWithPodReasonAndLastLogLines()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        _h.Kube.FailJobs = true;

        var (result, log) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("BackoffLimitExceeded", result.Error, StringComparison.Ordinal);
        Assert.Contains("container inference-checkpoint terminated: Error (exit code 1)", result.Error, StringComparison.Ordinal);
        Assert.Contains("GatedRepoError", result.Error, StringComparison.Ordinal);
        // The pod's log reached the step's log while the Job ran.
        Assert.Contains(log.Lines, l => l.Contains("Downloading google/gemma-7b-it-pytorch", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckpointConvert_Succeeds_StreamsLogsThenSkipsWhenTheCheckpointIsInTheBucket()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);

        var (first, log) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);
        var (second, again) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);

        Assert.True(first.Outcome == StepStatuses.Succeeded, first.Error);
        Assert.Contains(log.Lines, l => l.Contains("Converting to jetstream-pytorch", StringComparison.Ordinal));
        Assert.Equal(StepStatuses.Skipped, second.Outcome);
        Assert.Contains("already holds the converted checkpoint", again.Text, StringComparison.Ordinal);
        Assert.Equal("gs://demo-project-jetstream/pytorch/gemma-7b-it/final/bf16/", (string?)second.Outputs!["checkpoint"]);
        Assert.Single(_h.Kube.Applied, a => a.Kind == "Job");
    }

    [Fact]
    public async Task CheckpointConvert_WritesMarkerWithTheObjectsChecksums()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);

        var (result, _) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error);
        var marker = JsonNode.Parse(_h.Google.ObjectText(Bucket, Prefix + "orchestrator-manifest.json")!)!;
        Assert.Equal("hf://google/gemma-7b-it-pytorch@main", ((string?)marker["source"])?.Split('|')[0]);
        var objects = marker["objects"]!.AsArray();
        Assert.Equal([Prefix + "model.safetensors", Prefix + "tokenizer.model"], objects.Select(o => (string?)o!["name"]).ToList());
        var listed = _h.Google.Calls.Last(c => c.Method == "GET" && c.Path.StartsWith($"/storage/v1/b/{Bucket}/o?", StringComparison.Ordinal));
        Assert.Equal(14_000_000_000, (long?)objects[0]!["size"]);
        Assert.False(string.IsNullOrEmpty((string?)objects[0]!["crc32c"]));
        Assert.False(string.IsNullOrEmpty((string?)objects[0]!["md5Hash"]));
        Assert.Contains("prefix=", listed.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckpointConvert_ObjectsPresentWithoutMarker_ConvertsAnyway()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        // An earlier, interrupted conversion (or someone else) left objects but no marker: presence proves nothing.
        _h.Google.PutObject(Bucket, Prefix + "model.safetensors", 14_000_000_000, "half-written");
        _h.Google.PutObject(Bucket, Prefix + "tokenizer.model", 4_241_003);

        var (result, log) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error);
        Assert.Contains("no conversion marker", log.Text, StringComparison.Ordinal);
        Assert.Single(_h.Kube.Applied, a => a.Kind == "Job");
    }

    [Fact]
    public async Task CheckpointConvert_ObjectChangedAfterConversion_ConvertsAgainThenSkips()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        var (first, _) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);
        Assert.True(first.Outcome == StepStatuses.Succeeded, first.Error);

        // Same name and size, other bytes: only the checksum tells.
        _h.Google.PutObject(Bucket, Prefix + "model.safetensors", 14_000_000_000, "overwritten by hand");
        var (second, log) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);
        var (third, _) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);

        Assert.True(second.Outcome == StepStatuses.Succeeded, second.Error);
        Assert.Contains($"{Prefix}model.safetensors changed since the conversion", log.Text, StringComparison.Ordinal);
        Assert.Equal(2, _h.Kube.Applied.Count(a => a.Kind == "Job"));
        Assert.Equal(StepStatuses.Skipped, third.Outcome);
    }

    [Fact]
    public async Task CheckpointConvert_ObjectDeletedAfterConversion_ConvertsAgain()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        await _h.RunAsync(spec, StepKinds.CheckpointConvert);
        _h.Google.DeleteObject(Bucket, Prefix + "tokenizer.model");

        var (second, log) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);

        Assert.True(second.Outcome == StepStatuses.Succeeded, second.Error);
        Assert.Contains($"{Prefix}tokenizer.model is missing", log.Text, StringComparison.Ordinal);
        Assert.Equal(2, _h.Kube.Applied.Count(a => a.Kind == "Job"));
    }

    [Fact]
    public async Task EngineDeploy_ServerPodCrashLoops_FailsWithReasonAndLastLogLines()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        _h.Kube.CrashLoopRevisions.Add("r1");

        var (result, _) = await _h.RunAsync(spec, StepKinds.EngineDeploy);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("CrashLoopBackOff", result.Error, StringComparison.Ordinal);
        Assert.Contains("last exit code 1", result.Error, StringComparison.Ordinal);
        Assert.Contains("RuntimeError: TPU initialization failed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretEnsure_StoredSecretGivenWithTheClaim_AppliedButNeverInLogsOrOutputs()
    {
        const string value = "stored-secret-value-0123456789";
        var spec = WithToken(Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile), "secret://hf");
        var claim = CloudHarness.Claim(spec, StepKinds.SecretEnsure) with { Secrets = new Dictionary<string, string> { ["secret://hf"] = value } };

        var (result, log) = await _h.RunAsync(claim);

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error);
        var secret = _h.Kube.Get("secrets", "default", "huggingface-secret")!;
        Assert.Equal(value, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["HUGGINGFACE_TOKEN"]!)));
        Assert.DoesNotContain(value, log.Text + result.Outputs?.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("token=***", _h.Masker.Apply($"token={value}"));
    }

    [Fact]
    public async Task SecretEnsure_StoredSecretMissingFromTheClaim_FailsNamingIt()
    {
        var spec = WithToken(Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile), "secret://gone");

        var (result, _) = await _h.RunAsync(spec, StepKinds.SecretEnsure);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("secret://gone", result.Error, StringComparison.Ordinal);
        Assert.Contains("orchestrator secrets set gone", result.Error, StringComparison.Ordinal);
        Assert.Null(_h.Kube.Get("secrets", "default", "huggingface-secret"));
    }

    private static Contracts.Specs.RolloutSpec WithToken(Contracts.Specs.RolloutSpec spec, string reference) =>
        spec with { Target = spec.Target with { Kubernetes = spec.Target.Kubernetes! with { HuggingFaceToken = reference } } };

    [Fact]
    public async Task SecretEnsure_TokenFromFile_AppliedButNeverInLogsOrOutputs()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);

        var (result, log) = await _h.RunAsync(spec, StepKinds.SecretEnsure);

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error);
        var secret = _h.Kube.Get("secrets", "default", "huggingface-secret")!;
        var stored = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["HUGGINGFACE_TOKEN"]!));
        Assert.Equal(CloudHarness.HuggingFaceToken, stored);
        Assert.DoesNotContain(CloudHarness.HuggingFaceToken, log.Text + result.Outputs?.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("token=***", _h.Masker.Apply($"token={CloudHarness.HuggingFaceToken}"));
    }

    [Fact]
    public async Task Canary_ShiftPromoteCleanup_SetsReplicaRatioAndRetiresTheOldRevision()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        var state = new JsonObject();
        await Step(spec, StepKinds.EngineDeploy, "r1", null, state);
        await Step(spec, StepKinds.TrafficShift, "r1", new JsonObject { ["weight"] = 100 }, state);
        await Step(spec, StepKinds.RevisionPromote, "r1", null, state);
        Assert.Equal("r1", (string?)state["stableRevision"]);

        await Step(spec, StepKinds.EngineDeploy, "r2", null, state);
        Assert.Equal((2, 1), (Replicas("r1"), Replicas("r2")));
        await Step(spec, StepKinds.TrafficShift, "r2", new JsonObject { ["weight"] = 50 }, state);
        Assert.Equal((1, 1), (Replicas("r1"), Replicas("r2")));
        Assert.Equal(50, (int?)state["canaryWeight"]);
        await Step(spec, StepKinds.TrafficShift, "r2", new JsonObject { ["weight"] = 100 }, state);
        Assert.Equal((0, 2), (Replicas("r1"), Replicas("r2")));
        await Step(spec, StepKinds.RevisionPromote, "r2", null, state);
        Assert.Equal("r2", (string?)state["stableRevision"]);
        await Step(spec, StepKinds.Cleanup, "r2", new JsonObject { ["keepRevisions"] = 1 }, state);

        Assert.Equal(["jetstream-pytorch-server-r2"], _h.Kube.Names("deployments"));
        Assert.Equal(["jetstream-svc"], _h.Kube.Names("services"));
    }

    [Fact]
    public async Task Rollback_StableScaledBackBeforeTheCanaryIsDeleted_StateRecordsTheRollback()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        var state = new JsonObject();
        await Step(spec, StepKinds.EngineDeploy, "r1", null, state);
        await Step(spec, StepKinds.TrafficShift, "r1", new JsonObject { ["weight"] = 100 }, state);
        await Step(spec, StepKinds.RevisionPromote, "r1", null, state);
        await Step(spec, StepKinds.EngineDeploy, "r2", null, state);
        await Step(spec, StepKinds.TrafficShift, "r2", new JsonObject { ["weight"] = 50 }, state);
        Assert.Equal((1, 1), (Replicas("r1"), Replicas("r2")));

        await Step(spec, StepKinds.RevisionRollback, "r2", new JsonObject { ["reason"] = "golden prompts disagree" }, state);

        Assert.Equal(["jetstream-pytorch-server-r1"], _h.Kube.Names("deployments"));
        Assert.Equal(2, Replicas("r1"));
        Assert.Equal("r1", (string?)state["stableRevision"]);
        Assert.Null(state["canaryRevision"]);
        Assert.Equal(0, (int?)state["canaryWeight"]);
        Assert.Equal("r2", (string?)state["lastRollback"]!["revision"]);
        Assert.Equal("golden prompts disagree", (string?)state["lastRollback"]!["reason"]);
        // The stable Deployment was scaled up before the canary's was scaled down and deleted.
        var calls = _h.Kube.Calls.Select(c => $"{c.Method} {c.Path}").ToList();
        var stableUp = calls.FindLastIndex(c => c.StartsWith("PATCH", StringComparison.Ordinal) && c.Contains("jetstream-pytorch-server-r1/scale", StringComparison.Ordinal));
        var canaryDeleted = calls.FindIndex(c => c.StartsWith("DELETE", StringComparison.Ordinal) && c.Contains("jetstream-pytorch-server-r2", StringComparison.Ordinal));
        Assert.True(stableUp >= 0 && canaryDeleted > stableUp, string.Join('\n', calls));

        // Again (a new attempt after a lost answer): nothing left to delete is done, not an error.
        await Step(spec, StepKinds.RevisionRollback, "r2", null, state);
    }

    private int Replicas(string revision) =>
        (int)_h.Kube.Get("deployments", "default", $"jetstream-pytorch-server-{revision}")!["spec"]!["replicas"]!;

    private Task Step(Contracts.Specs.RolloutSpec spec, string kind, string revision, JsonObject? parameters, JsonObject state) =>
        _h.StepAsync(spec, kind, revision, parameters, state);
}
