using System.Text.Json.Nodes;
using CloudTargets.Tests.Infrastructure;
using Contracts;
using Contracts.Specs;
using Runner.Agent;

namespace CloudTargets.Tests.Kubernetes;

/// <summary><c>canary.analyze</c> on the Kubernetes targets: r1 stable, r2 the canary with half the replicas, each pod's
/// engine reached through the API server's pod proxy of the fake.</summary>
public sealed class CanaryAnalyzeTests : IAsyncLifetime
{
    private const string Proxy = "/api/v1/namespaces/default/pods/";
    private const string CanaryPod = "jetstream-pytorch-server-r2-5d8f7c-0";
    private const string StablePod = "jetstream-pytorch-server-r1-5d8f7c-0";
    private CloudHarness _h = null!;
    private readonly JsonObject _state = [];

    public async Task InitializeAsync() => _h = await CloudHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData(TargetKinds.Kubernetes)]
    [InlineData(TargetKinds.Gke)]
    public async Task GoldenPrompts_SameCheckpoint_AgreeAndTheAnalysisSucceeds_ThroughThePodProxy(string target)
    {
        var spec = await CanaryAsync(target);

        var (result, log) = await AnalyzeAsync(spec, Analysis(Golden("exactMatch", min: 1), Golden("tokenAgreement", min: 1)));
        // The canary's histograms now hold the golden prompts' answers.
        var (engine, engineLog) = await AnalyzeAsync(spec, Analysis(Metric("ttft", "engine", "ttftP99Ms", max: 1000)));

        Assert.True(result.Outcome == StepStatuses.Succeeded, $"{result.Error}\n{log.Text}");
        var values = result.Outputs!["analysis"]!["metrics"]!.AsArray().Select(m => (double?)m!["measurements"]![0]!["value"]).ToList();
        Assert.Equal([1.0, 1.0], values);
        Assert.True(engine.Outcome == StepStatuses.Succeeded, $"{engine.Error}\n{engineLog.Text}");
        // The fake engine's 20 ms, interpolated within its histogram's bucket.
        Assert.InRange((double)engine.Outputs!["analysis"]!["metrics"]![0]!["measurements"]![0]!["value"]!, 10, 40);
        var paths = _h.Kube.Calls.Select(c => $"{c.Method} {c.Path}").ToList();
        Assert.Contains($"POST {Proxy}{CanaryPod}:8000/proxy/generate", paths);
        Assert.Contains($"POST {Proxy}{StablePod}:8000/proxy/generate", paths);
        Assert.Contains($"GET {Proxy}{CanaryPod}:9000/proxy/metrics", paths);
        var prompt = _h.Kube.Calls.First(c => c.Path.EndsWith("/proxy/generate", StringComparison.Ordinal)).Body!;
        Assert.Equal(8, (int?)prompt["max_tokens"]);
        Assert.False((bool?)prompt["stream"]);
    }

    [Fact]
    public async Task GoldenPrompts_CanaryAnswersDifferently_FailsTheStep()
    {
        var spec = await CanaryAsync();
        _h.Kube.Engine("r2").Checkpoint = "gemma-7b-it/final/int8";

        var (result, log) = await AnalyzeAsync(spec, Analysis(Golden("exactMatch", min: 0.9)));

        Assert.True(result.Outcome == StepStatuses.Failed, $"{result.Outcome} {result.Error}\n{log.Text}");
        Assert.Contains("metric golden-exactMatch (goldenPrompts exactMatch) failed", result.Error, StringComparison.Ordinal);
        Assert.Equal("Failed", (string?)result.Outputs!["analysis"]!["phase"]);
        Assert.Contains("exact match 0,", result.Error, StringComparison.Ordinal);
        // It answered every prompt: its text differs.
        Assert.All(_h.Kube.Calls.Where(c => c.Path == $"{Proxy}{CanaryPod}:8000/proxy/generate"), c => Assert.Equal(200, c.Status));
    }

    [Fact]
    public async Task Comparison_InterleavesCanaryAndStableProbes_AndPasses()
    {
        var spec = await CanaryAsync();
        var latency = Metric("latency", "comparison", "p99Ms");
        latency["maxRatio"] = 1000.0;
        latency["probes"] = 8;

        var (result, log) = await AnalyzeAsync(spec, Analysis(latency));

        Assert.True(result.Outcome == StepStatuses.Succeeded, $"{result.Error}\n{log.Text}");
        var order = _h.Kube.Calls.Where(c => c.Path.EndsWith("/proxy/generate", StringComparison.Ordinal))
            .Select(c => c.Path.Contains(CanaryPod, StringComparison.Ordinal) ? "canary" : "stable").ToList();
        // One uncounted request to each, then rounds that alternate which side goes first.
        string[] expected = ["canary", "stable", .. Enumerable.Range(0, 8).SelectMany(r => r % 2 == 0 ? new[] { "canary", "stable" } : ["stable", "canary"])];
        Assert.Equal(expected, order);
    }

    [Fact]
    public async Task Traffic_CountsWhatTheCanaryPodServedInTheWindow_FailuresUncountedByJetStreamAreInconclusive()
    {
        var spec = await CanaryAsync();
        using var clients = ClientLoad();
        var requests = Metric("requests", "traffic", "requests", min: 5);
        requests["count"] = 2;
        var errors = Metric("errors", "traffic", "errorRate", max: 0.01);

        var (result, log) = await AnalyzeAsync(spec, Analysis(requests, errors));

        Assert.True(result.Outcome == StepOutcomes.Inconclusive, $"{result.Outcome} {result.Error}\n{log.Text}");
        var metrics = result.Outputs!["analysis"]!["metrics"]!.AsArray();
        var counted = metrics[0]!["measurements"]!.AsArray();
        Assert.Equal(2, counted.Count);
        Assert.All(counted, m => Assert.Equal("Successful", (string?)m!["phase"]));
        // About one request each 10 ms into a window of about a second: each window counts only its own.
        Assert.All(counted, m => Assert.InRange((double)m!["value"]!, 5, 250));
        Assert.Contains("on its ready pods' /metrics", (string?)counted[0]!["detail"], StringComparison.Ordinal);
        // jetstream-pytorch's server counts successes only: an error rate cannot be known, so it is no data.
        Assert.Contains("failed requests are not counted", (string?)metrics[1]!["measurements"]![0]!["detail"], StringComparison.Ordinal);
        Assert.Contains($"GET {Proxy}{CanaryPod}:9000/proxy/metrics", _h.Kube.Calls.Select(c => $"{c.Method} {c.Path}"));
    }

    [Fact]
    public async Task ComparisonFromTraffic_CanarySlowerInTheSameWindow_Fails()
    {
        var spec = await CanaryAsync();
        _h.Kube.Engine("r2").TimePerRequestSeconds = 2.0;
        _h.Kube.Engine("r1").TimePerRequestSeconds = 0.5;
        using var clients = ClientLoad();
        var latency = Metric("latency", "comparison", "p99Ms");
        latency["from"] = "traffic";
        latency["judge"] = "ratio";
        latency["maxRatio"] = 2.0;
        latency["minSamples"] = 5;

        var (result, log) = await AnalyzeAsync(spec, Analysis(latency));

        Assert.True(result.Outcome == StepStatuses.Failed, $"{result.Outcome} {result.Error}\n{log.Text}");
        var measurement = result.Outputs!["analysis"]!["metrics"]![0]!["measurements"]![0]!;
        // All of the canary's answers lie in JetStream's (1 s, 2.5 s] bucket and the stable's in (0, 1 s]: p99 2.485 s
        // against 0.99 s, interpolated as histogram_quantile does.
        Assert.Equal(2.485 / 0.99, (double)measurement["value"]!, 3);
        Assert.Contains("requests to r2", (string?)measurement["detail"], StringComparison.Ordinal);
        Assert.Contains("requests to r1", (string?)measurement["detail"], StringComparison.Ordinal);
    }

    // Clients of the Service: each revision's engine answers a request about every 10 ms until disposed.
    private Load ClientLoad()
    {
        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            const string body = """{"prompt":"Hello","max_tokens":4}""";
            while (!stop.IsCancellationRequested)
            {
                _h.Kube.Engine("r2").Answer(CanaryPod, 8000, "POST", "/generate", body);
                _h.Kube.Engine("r1").Answer(StablePod, 8000, "POST", "/generate", body);
                await Task.Delay(10);
            }
        });
        return new Load(stop);
    }

    private sealed class Load(CancellationTokenSource stop) : IDisposable
    {
        public void Dispose()
        {
            stop.Cancel();
            stop.Dispose();
        }
    }

    [Fact]
    public async Task Probe_NoReadyCanaryPod_IsInconclusive()
    {
        var spec = await CanaryAsync();
        _h.Kube.NotReady["r2"] = 1;

        var (result, log) = await AnalyzeAsync(spec, Analysis(Metric("errors", "probe", "errorRate", max: 0)));

        Assert.True(result.Outcome == StepOutcomes.Inconclusive, $"{result.Outcome} {result.Error}\n{log.Text}");
        Assert.Contains("revision r2 has no ready pod to probe", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_h.Kube.Calls, c => c.Path.Contains(CanaryPod + ":", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Probe_ApiServerCannotReachThePods_IsInconclusiveNotAFailure()
    {
        var spec = await CanaryAsync();
        _h.Kube.UnreachableRevisions.Add("r2");

        var (result, log) = await AnalyzeAsync(spec, Analysis(Metric("errors", "probe", "errorRate", max: 0), Metric("ttft", "engine", "ttftP50Ms", max: 1000)));

        Assert.True(result.Outcome == StepOutcomes.Inconclusive, $"{result.Outcome} {result.Error}\n{log.Text}");
        Assert.Contains("pod proxy answered 503 ServiceUnavailable: error trying to reach service", log.Text, StringComparison.Ordinal);
        Assert.Contains("no ready pod of r2 answered /metrics", log.Text, StringComparison.Ordinal);
        Assert.Contains(_h.Kube.Calls, c => c.Path == $"{Proxy}{CanaryPod}:8000/proxy/generate" && c.Status == 503);
    }

    [Theory]
    [InlineData("restarts", 3, 0, null, 1.0, StepStatuses.Failed)]
    [InlineData("restarts", 1, 0, null, 1.0, StepStatuses.Succeeded)]
    [InlineData("readiness", 0, 0, 1.0, null, StepStatuses.Succeeded)]
    [InlineData("readiness", 0, 1, 1.0, null, StepStatuses.Failed)]
    [InlineData("notReady", 0, 1, null, 0.0, StepStatuses.Failed)]
    public async Task Pods_RestartsAndReadinessOfTheCanary_JudgedByTheirBounds(string measure, int restarts, int notReady, double? min, double? max, string outcome)
    {
        var spec = await CanaryAsync();
        _h.Kube.Restarts["r2"] = restarts;
        _h.Kube.NotReady["r2"] = notReady;

        var (result, log) = await AnalyzeAsync(spec, Analysis(Metric("pods", "pods", measure, min, max)));

        Assert.True(result.Outcome == outcome, $"{result.Outcome} {result.Error}\n{log.Text}");
        if (measure == "restarts" && outcome == StepStatuses.Failed)
            Assert.Contains($"container jetstream-pytorch-server restarted {restarts} times, last OOMKilled (exit code 137)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Background_MeasuresUntilAskedToFinish_ThenSucceeds()
    {
        var spec = await CanaryAsync();
        var metric = Metric("restarts", "pods", "restarts", max: 0);
        metric.Remove("count");
        var parameters = Analysis(metric);
        parameters["background"] = true;
        var log = new RecordingLog();
        using var work = new CancellationTokenSource();
        using var stop = new WorkStop(work);

        var step = _h.RunAsync(CloudHarness.Claim(spec, StepKinds.CanaryAnalyze, "r2", parameters, _state.DeepClone().AsObject()), log, stop);
        await Eventually(() => log.Lines.Any(l => l.Contains("restarts (pods restarts) #1", StringComparison.Ordinal)));
        Assert.False(step.IsCompleted);
        stop.RequestFinish();
        var result = await step.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.Outcome == StepStatuses.Succeeded, $"{result.Error}\n{log.Text}");
        Assert.Equal("Successful", (string?)result.Outputs!["analysis"]!["phase"]);
    }

    /// <summary>r1 deployed, shifted and promoted; r2 deployed and given half of the two replicas.</summary>
    private async Task<RolloutSpec> CanaryAsync(string target = TargetKinds.Kubernetes)
    {
        var spec = target == TargetKinds.Gke ? Specs.Gke(_h.TokenFile) : Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        if (target == TargetKinds.Gke) await _h.StepAsync(spec, StepKinds.ClusterEnsure, "r1", null, _state);
        await _h.StepAsync(spec, StepKinds.EngineDeploy, "r1", null, _state);
        await _h.StepAsync(spec, StepKinds.TrafficShift, "r1", new JsonObject { ["weight"] = 100 }, _state);
        await _h.StepAsync(spec, StepKinds.RevisionPromote, "r1", null, _state);
        await _h.StepAsync(spec, StepKinds.EngineDeploy, "r2", null, _state);
        await _h.StepAsync(spec, StepKinds.TrafficShift, "r2", new JsonObject { ["weight"] = 50 }, _state);
        return spec;
    }

    private Task<(StepResult Result, RecordingLog Log)> AnalyzeAsync(RolloutSpec spec, JsonObject parameters) =>
        _h.RunAsync(spec, StepKinds.CanaryAnalyze, "r2", parameters, _state.DeepClone().AsObject());

    private static JsonObject Analysis(params JsonObject[] metrics) =>
        new() { ["analysis"] = new JsonObject { ["metrics"] = new JsonArray(metrics.Select(m => (JsonNode)m).ToArray()) } };

    private static JsonObject Metric(string name, string source, string measure, double? min = null, double? max = null) => new()
    {
        ["name"] = name, ["source"] = source, ["measure"] = measure, ["min"] = min, ["max"] = max, ["count"] = 1, ["interval"] = "1s",
    };

    private static JsonObject Golden(string measure, double min)
    {
        var metric = Metric($"golden-{measure}", "goldenPrompts", measure, min: min);
        metric["goldenPrompts"] = new JsonObject { ["tokens"] = 8, ["prompts"] = new JsonArray("The capital of France is", "def fib(n):", "1, 2, 3,") };
        return metric;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting");
            await Task.Delay(20);
        }
    }
}
