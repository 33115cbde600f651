using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using CloudTargets.Tests.Infrastructure;
using Contracts;
using Contracts.Specs;
using Runner.Tests.HuggingFace;

namespace CloudTargets.Tests.Gke;

/// <summary>
/// <c>target.gke.conversion: runner</c>: the runner converts a Hugging Face checkpoint with our converter in
/// JetStream-PyTorch's layout and uploads it to the bucket through resumable uploads, while the cluster is still being
/// created; the whole first rollout then takes about as long as its longest chain.
/// </summary>
public sealed class RunnerConversionTests : IAsyncLifetime
{
    private CloudHarness _h = null!;
    private string _model = "";

    public async Task InitializeAsync()
    {
        _h = await CloudHarness.StartAsync();
        _model = Path.Combine(_h.Directory, "hf-llama");
        await TinyModelFixture.MakeAsync(_model);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private RolloutSpec Spec(string conversion = "", string mode = "standard") => Specs.Gke(_h.TokenFile, mode, g => g with { Conversion = conversion }) with
    {
        Model = new ModelSpec { Family = "llama-3", Size = "tiny", Source = new Uri(_model).AbsoluteUri },
    };

    [Fact]
    public async Task Convert_UploadsJetStreamLayoutInResumableChunks_RecordsTheMarker_SecondRunSkips()
    {
        var spec = Spec();
        var model = new ModelLayout(spec);
        await _h.StepAsync(spec, StepKinds.BucketEnsure, "r1", null, new JsonObject());
        _h.Google.FailUploadChunks = 1;

        var (result, log) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);

        Assert.True(result.Outcome == StepStatuses.Succeeded, $"{result.Error}\n{log.Text}");
        Assert.Equal("runner", (string?)result.Outputs!["convertedBy"]);
        Assert.Empty(_h.Kube.Applied);
        var weights = _h.Google.ObjectBytes(Specs.Bucket, model.CheckpointObject);
        Assert.NotNull(weights);
        Assert.NotNull(_h.Google.ObjectBytes(Specs.Bucket, model.TokenizerObject));
        // JetStream-PyTorch's names and bfloat16 weights in what reached the bucket.
        var header = Header(weights!);
        Assert.Equal("BF16", (string?)header["layers.0.attention.wq.weight"]!["dtype"]);
        Assert.Contains("tok_embeddings.weight", header.Select(p => p.Key));
        Assert.DoesNotContain(header.Select(p => p.Key), k => k.StartsWith("model.", StringComparison.Ordinal));
        // More than one chunk, and the one answered 503 was sent again from the same offset.
        var chunks = _h.Google.UploadChunks.Where(c => !c.StartsWith("bytes */", StringComparison.Ordinal)).ToList();
        Assert.True(chunks.Count > 2, string.Join("\n", chunks));
        Assert.True(chunks.Count != chunks.Distinct().Count(), "no chunk was sent again after the 503:\n" + string.Join("\n", chunks));
        var marker = JsonNode.Parse(_h.Google.ObjectText(Specs.Bucket, model.MarkerObject)!)!;
        Assert.Contains(model.CheckpointObject, marker.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("uploaded gs://", log.Text, StringComparison.Ordinal);

        var uploads = _h.Google.UploadChunks.Count;
        var (again, againLog) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);
        Assert.True(again.Outcome == StepStatuses.Skipped, $"{again.Error}\n{againLog.Text}");
        Assert.Equal(uploads, _h.Google.UploadChunks.Count);
    }

    [Fact]
    public async Task Convert_GatedHfSource_DownloadsFromTheHubWithTheTokenConvertsAndUploads()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.Add(FakeHubRepo.FromDirectory("org/tiny-llama", _model, gatedToken: CloudHarness.HuggingFaceToken));
        await using var h = await CloudHarness.StartAsync(hubEndpoint: hub.HubUrl);
        var spec = Specs.Gke(h.TokenFile, change: g => g with { Conversion = GkeConversions.Runner }) with
        {
            Model = new ModelSpec { Family = "llama-3", Size = "tiny", Source = "hf://org/tiny-llama@main" },
        };
        await h.StepAsync(spec, StepKinds.BucketEnsure, "r1", null, new JsonObject());

        var (result, log) = await h.RunAsync(spec, StepKinds.CheckpointConvert);

        Assert.True(result.Outcome == StepStatuses.Succeeded, $"{result.Error}\n{log.Text}");
        Assert.Contains($"is commit {repo.Commit}", log.Text, StringComparison.Ordinal);
        Assert.NotNull(h.Google.ObjectBytes(Specs.Bucket, new ModelLayout(spec).CheckpointObject));
        Assert.All(hub.Requests.Where(r => r.Host == "hub"), r => Assert.Equal($"Bearer {CloudHarness.HuggingFaceToken}", r.Authorization));
        Assert.All(hub.CdnRequests, r => Assert.Null(r.Authorization));
        Assert.DoesNotContain(CloudHarness.HuggingFaceToken, log.Text, StringComparison.Ordinal);

        // A token without access: the step says so, naming the repository, and uploads nothing more.
        await File.WriteAllTextAsync(h.TokenFile, "hf_someoneElsesToken000000000");
        var fresh = spec with { Engine = spec.Engine with { QuantizeWeights = true } };
        var chunks = h.Google.UploadChunks.Count;
        var (refused, _) = await h.RunAsync(fresh, StepKinds.CheckpointConvert);
        Assert.Equal(StepStatuses.Failed, refused.Outcome);
        Assert.Contains("org/tiny-llama", refused.Error, StringComparison.Ordinal);
        Assert.Equal(chunks, h.Google.UploadChunks.Count);
    }

    [Fact]
    public async Task Convert_ConverterRefusesTheCheckpoint_FailsAndNoObjectIsCreated()
    {
        var broken = Path.Combine(_h.Directory, "broken");
        Directory.CreateDirectory(broken);
        foreach (var file in Directory.EnumerateFiles(_model)) File.Copy(file, Path.Combine(broken, Path.GetFileName(file)));
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(broken, "config.json")))!;
        config["intermediate_size"] = 96; // the weights say otherwise
        await File.WriteAllTextAsync(Path.Combine(broken, "config.json"), config.ToJsonString());
        var spec = Spec() with { Model = new ModelSpec { Family = "llama-3", Size = "tiny", Source = new Uri(broken).AbsoluteUri } };
        await _h.StepAsync(spec, StepKinds.BucketEnsure, "r1", null, new JsonObject());

        var (result, log) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("exited with code", result.Error, StringComparison.Ordinal);
        Assert.Contains("shape mismatch", log.Text, StringComparison.Ordinal);
        Assert.Null(_h.Google.ObjectBytes(Specs.Bucket, new ModelLayout(spec).CheckpointObject));
        Assert.Null(_h.Google.ObjectText(Specs.Bucket, new ModelLayout(spec).MarkerObject));
    }

    [Fact]
    public async Task Convert_MissingSourceDirectory_FailsNamingIt_UploadsNothing()
    {
        var spec = Spec() with { Model = new ModelSpec { Family = "llama-3", Size = "tiny", Source = "file:///nowhere/model" } };
        await _h.StepAsync(spec, StepKinds.BucketEnsure, "r1", null, new JsonObject());

        var (result, _) = await _h.RunAsync(spec, StepKinds.CheckpointConvert);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("/nowhere/model", result.Error, StringComparison.Ordinal);
        Assert.Empty(_h.Google.UploadChunks);
    }

    [Fact]
    public async Task FirstRollout_ConversionEndsWhileTheClusterOperationIsStillRunning()
    {
        _h.Google.HoldOperations = true;
        var convertEnded = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var rollout = PlanExecution.RunAsync(_h, Spec(), ended =>
        {
            if (ended == StepKinds.CheckpointConvert) convertEnded.TrySetResult(_h.Google.OperationStatuses("CREATE_CLUSTER") ?? "(no cluster operation)");
        });

        var clusterAtConvertEnd = await convertEnded.Task.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal("RUNNING", clusterAtConvertEnd);
        Assert.False(rollout.IsCompleted);
        _h.Google.HoldOperations = false;
        var (steps, _) = await rollout.WaitAsync(TimeSpan.FromMinutes(2));
        var byName = steps.ToDictionary(s => s.Name);
        Assert.True(byName[StepKinds.CheckpointConvert].End < byName[StepKinds.ClusterEnsure].End);
        Assert.True(byName[StepKinds.EngineDeploy].Start >= byName[StepKinds.NodePoolEnsure].End);
    }

    [Fact]
    public async Task FirstRollout_ClusterConversion_StartsOnlyAfterTheNodePool()
    {
        var spec = Spec(conversion: GkeConversions.Cluster);
        _h.Kube.OnJobSucceeded = _ =>
        {
            var model = new ModelLayout(spec);
            _h.Google.PutObject(Specs.Bucket, model.CheckpointObject, 14_000_000);
            _h.Google.PutObject(Specs.Bucket, model.TokenizerObject, 4_241);
        };

        var (steps, _) = await PlanExecution.RunAsync(_h, spec);

        var byName = steps.ToDictionary(s => s.Name);
        Assert.True(byName[StepKinds.CheckpointConvert].Start >= byName[StepKinds.NodePoolEnsure].End);
        Assert.Single(_h.Kube.Applied, a => a.Kind == "Job");
    }

    /// <summary>The cloud's minutes scaled down 100×: cluster 3.6 s, node pool 2.4 s, model load 1.8 s, the
    /// conversion as it really runs here. The manual order would take the sum of the steps.</summary>
    [Fact]
    public async Task FirstRollout_TimeScaledCloud_TakesAtMostOnePointOneTimesItsCriticalPath()
    {
        _h.Google.OperationDurations["CREATE_CLUSTER"] = TimeSpan.FromSeconds(3.6);
        _h.Google.OperationDurations["CREATE_NODE_POOL"] = TimeSpan.FromSeconds(2.4);
        _h.Kube.ModelLoad = TimeSpan.FromSeconds(1.8);

        var (steps, wall) = await PlanExecution.RunAsync(_h, Spec());

        var critical = PlanExecution.CriticalPath(steps);
        var sum = TimeSpan.FromTicks(steps.Sum(s => s.Duration.Ticks));
        var detail = string.Join("\n", steps.Select(s => $"{s.Name,-20} {s.Start.TotalSeconds,6:0.00} → {s.End.TotalSeconds,6:0.00} s"));
        Assert.True(wall.TotalSeconds <= 1.1 * critical.TotalSeconds,
            $"wall {wall.TotalSeconds:0.00} s, critical path {critical.TotalSeconds:0.00} s, sum {sum.TotalSeconds:0.00} s\n{detail}");
        Assert.True(sum > wall, detail);
        var byName = steps.ToDictionary(s => s.Name);
        Assert.True(byName[StepKinds.CheckpointConvert].End < byName[StepKinds.NodePoolEnsure].End, detail);
    }

    private static JsonObject Header(byte[] safetensors)
    {
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(safetensors);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(safetensors, 8, length))!.AsObject();
        header.Remove("__metadata__");
        return header;
    }
}
