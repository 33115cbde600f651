using System.Text.Json.Nodes;
using Contracts;
using Runner.Agent;
using Runner.Local;
using Runner.Processes;

namespace Runner.Tests.Local;

public sealed class DeployTests(TinyModelFixture model) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public async Task Deploy_ReplicaRecordedAndAlive_NewProviderAdoptsItAndADeadOneIsStartedAgain()
    {
        await using var target = new LocalTargetHarness(model.ModelDir);
        var inputs = await ConvertAsync(target);

        var (first, firstLog) = await target.RunAsync(StepKinds.EngineDeploy, "r1", inputs: inputs);
        Assert.True(first.Outcome == StepStatuses.Succeeded, $"{first.Error}\n{firstLog}");
        var replica = Assert.Single(Replicas.Recorded(target.Layout, "r1"));

        var (again, againLog) = await target.RunAsync(StepKinds.EngineDeploy, "r1", inputs: inputs);

        Assert.Equal(StepStatuses.Succeeded, again.Outcome);
        Assert.Equal(replica.Pid, Assert.Single(Replicas.Recorded(target.Layout, "r1")).Pid);
        Assert.Contains(againLog.Lines, l => l.Contains($"adopted the running engine (pid {replica.Pid}", StringComparison.Ordinal));
        Assert.True(JsonNode.DeepEquals(first.Outputs, again.Outputs));
        Assert.Equal("r1", first.Outputs!["revision"]!.GetValue<string>());

        Signals.SendToGroup(replica.Pid, Signals.Kill);
        await Eventually.TrueAsync(() => !replica.IsAlive, "the replica to die");
        var (restarted, _) = await target.RunAsync(StepKinds.EngineDeploy, "r1", inputs: inputs);

        Assert.Equal(StepStatuses.Succeeded, restarted.Outcome);
        var replacement = Assert.Single(Replicas.Recorded(target.Layout, "r1"));
        Assert.NotEqual(replica.Pid, replacement.Pid);
        Assert.True(replacement.IsAlive);
    }

    [Fact]
    public async Task Deploy_EngineExitsAtStart_FailsWithItsLastLogLines()
    {
        await using var target = new LocalTargetHarness(model.ModelDir);
        var inputs = new JsonObject
        {
            ["checkpoint.convert"] = new JsonObject
            {
                ["checkpointPath"] = Path.Combine(target.ArtifactsDir, "missing", "model.safetensors"),
                ["tokenizerPath"] = Path.Combine(target.ArtifactsDir, "missing", "tokenizer.model"),
                ["checkpointDir"] = Path.Combine(target.ArtifactsDir, "missing"),
            },
        };

        var (result, log) = await target.RunAsync(StepKinds.EngineDeploy, "r1", inputs: inputs);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("exited before it was live", result.Error, StringComparison.Ordinal);
        Assert.Contains(log.Lines, l => l.StartsWith("[replica 0]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rollout_SecondRevisionReplacesFirst_FrontAnswersThroughoutAndCleanupRetiresTheOld()
    {
        await using var target = new LocalTargetHarness(model.ModelDir);
        var inputs = await ConvertAsync(target);
        await DeployAndPromoteAsync(target, "r1", inputs);
        var old = Assert.Single(Replicas.Recorded(target.Layout, "r1"));
        Assert.NotEmpty(await target.GenerateAsync());

        // Keep talking to the front while r2 takes over and r1 is retired: no request may fail.
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var answered = 0;
        var traffic = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await target.GenerateAsync();
                    Interlocked.Increment(ref answered);
                }
                catch (HttpRequestException e)
                {
                    lock (failures)
                    {
                        failures.Add(e.Message);
                    }
                }
            }
        });

        var (deploy, deployLog) = await target.RunAsync(StepKinds.EngineDeploy, "r2", inputs: inputs);
        Assert.True(deploy.Outcome == StepStatuses.Succeeded, $"{deploy.Error}\n{deployLog}");
        var (shift, _) = await target.RunAsync(StepKinds.TrafficShift, "r2", new JsonObject { ["weight"] = 50 });
        Assert.Equal(StepStatuses.Succeeded, shift.Outcome);
        Assert.Equal(50, shift.Outputs!["environment"]!["canaryWeight"]!.GetValue<int>());
        await DeployAndPromoteAsync(target, "r2", inputs);
        var (cleanup, cleanupLog) = await target.RunAsync(StepKinds.Cleanup, "r2", new JsonObject { ["keepRevisions"] = 0 });
        var before = Volatile.Read(ref answered);
        await Eventually.TrueAsync(() => Volatile.Read(ref answered) > before + 2, "more answers after the cleanup");
        await stop.CancelAsync();
        await traffic;

        Assert.True(cleanup.Outcome == StepStatuses.Succeeded, $"{cleanup.Error}\n{cleanupLog}");
        Assert.Empty(failures);
        Assert.Equal(["r1"], cleanup.Outputs!["removedRevisions"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.False(old.IsAlive);
        Assert.False(Directory.Exists(target.Layout.RevisionDir("r1")));
        Assert.True(Assert.Single(Replicas.Recorded(target.Layout, "r2")).IsAlive);
        Assert.Empty(cleanup.Outputs!["removedArtifacts"]!.AsArray()); // r2 serves the same conversion
    }

    private static JsonObject Analysis(params JsonObject[] metrics) =>
        new() { ["analysis"] = new JsonObject { ["metrics"] = new JsonArray(metrics.Select(m => (JsonNode)m).ToArray()) } };

    private static JsonObject Metric(string source, string measure, double? min = null, double? max = null, int count = 1) => new()
    {
        ["name"] = $"{source}-{measure}", ["source"] = source, ["measure"] = measure, ["min"] = min, ["max"] = max, ["count"] = count, ["interval"] = "1s",
    };

    [Fact]
    public async Task CanaryAnalyze_Probes_PassWithinBounds_FailBeyondThemAtOnce_NoReplicaIsInconclusive()
    {
        await using var target = new LocalTargetHarness(model.ModelDir);
        var inputs = await ConvertAsync(target);
        var (deploy, log) = await target.RunAsync(StepKinds.EngineDeploy, "r1", inputs: inputs);
        Assert.True(deploy.Outcome == StepStatuses.Succeeded, $"{deploy.Error}\n{log}");

        var within = Metric("probe", "p99Ms", max: 120_000, count: 2);
        within["probes"] = 3;
        var (pass, passLog) = await target.RunAsync(StepKinds.CanaryAnalyze, "r1", Analysis(within, Metric("engine", "slotsUsed", max: 100)));
        var (tooSlow, _) = await target.RunAsync(StepKinds.CanaryAnalyze, "r1", Analysis(Metric("probe", "p99Ms", max: 0, count: 5)));
        var (nothing, _) = await target.RunAsync(StepKinds.CanaryAnalyze, "r9", Analysis(Metric("probe", "errorRate", max: 0)));

        Assert.True(pass.Outcome == StepStatuses.Succeeded, $"{pass.Error}\n{passLog}");
        Assert.Equal("Successful", pass.Outputs!["analysis"]!["phase"]!.GetValue<string>());
        Assert.Equal(2, pass.Outputs!["analysis"]!["metrics"]![0]!["measurements"]!.AsArray().Count);
        Assert.Equal(StepStatuses.Failed, tooSlow.Outcome);
        Assert.Contains("probe p99Ms", tooSlow.Error, StringComparison.Ordinal);
        // The first failed measurement decides: the other four are never taken.
        Assert.Single(tooSlow.Outputs!["analysis"]!["metrics"]![0]!["measurements"]!.AsArray());
        Assert.Equal(StepOutcomes.Inconclusive, nothing.Outcome);
        Assert.Contains("no running replica", nothing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CanaryAnalyze_SameCheckpointAsStable_GoldenPromptsAgreeAndTheComparisonPasses()
    {
        await using var target = new LocalTargetHarness(model.ModelDir);
        var inputs = await ConvertAsync(target);
        await DeployAndPromoteAsync(target, "r1", inputs);
        var (deploy, log) = await target.RunAsync(StepKinds.EngineDeploy, "r2", inputs: inputs);
        Assert.True(deploy.Outcome == StepStatuses.Succeeded, $"{deploy.Error}\n{log}");

        var golden = Metric("goldenPrompts", "exactMatch", min: 1);
        golden["goldenPrompts"] = new JsonObject { ["tokens"] = 8, ["prompts"] = new JsonArray("Hello", "Once upon a time", "1, 2, 3,") };
        var agreement = Metric("goldenPrompts", "tokenAgreement", min: 1);
        agreement["goldenPrompts"] = golden["goldenPrompts"]!.DeepClone();
        var latency = new JsonObject { ["name"] = "latency", ["source"] = "comparison", ["measure"] = "p99Ms", ["maxRatio"] = 3.0, ["count"] = 1, ["interval"] = "1s" };
        var (result, resultLog) = await target.RunAsync(StepKinds.CanaryAnalyze, "r2", Analysis(golden, agreement, latency));

        Assert.True(result.Outcome == StepStatuses.Succeeded, $"{result.Error}\n{resultLog}");
        var values = result.Outputs!["analysis"]!["metrics"]!.AsArray().Select(m => m!["measurements"]![0]!["value"]!.GetValue<double>()).ToList();
        Assert.Equal(1.0, values[0]);
        Assert.Equal(1.0, values[1]);
    }

    private static async Task<JsonObject> ConvertAsync(LocalTargetHarness target)
    {
        var (convert, log) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");
        Assert.True(convert.Outcome == StepStatuses.Succeeded, $"{convert.Error}\n{log}");
        return new JsonObject { ["checkpoint.convert"] = convert.Outputs!.DeepClone() };
    }

    private static async Task DeployAndPromoteAsync(LocalTargetHarness target, string revision, JsonObject inputs)
    {
        var steps = new (string Kind, JsonObject? Parameters)[]
        {
            (StepKinds.EngineDeploy, null),
            (StepKinds.TrafficShift, new JsonObject { ["weight"] = 100 }),
            (StepKinds.RevisionPromote, null),
        };
        StepResult? last = null;
        foreach (var (kind, parameters) in steps)
        {
            var (result, log) = await target.RunAsync(kind, revision, parameters, inputs);
            Assert.True(result.Outcome == StepStatuses.Succeeded, $"{kind}: {result.Error}\n{log}");
            last = result;
        }

        var environment = last!.Outputs!["environment"]!.AsObject();
        Assert.Equal(revision, environment["stableRevision"]!.GetValue<string>());
        // The whole new state, not a merge: what it leaves out is none.
        var state = System.Text.Json.JsonSerializer.Deserialize<EnvironmentState>(environment, ContractJson.Options)!;
        Assert.Null(state.CanaryRevision);
        Assert.Equal(0, state.CanaryWeight);
        Assert.Equal(target.FrontUrl, state.FrontUrl);
    }
}
