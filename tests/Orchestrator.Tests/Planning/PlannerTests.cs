using Contracts;
using System.Text.Json.Nodes;
using Contracts.Specs;
using Orchestrator.Planning;

namespace Orchestrator.Tests.Planning;

public sealed class PlannerTests
{
    private static RolloutSpec Spec(string kind = TargetKinds.Local, CanarySpec? canary = null, string gkeMode = "autopilot", string conversion = "") => new()
    {
        Environment = "e",
        Model = new ModelSpec { Family = "gemma", Size = "7b", Source = "hf://google/gemma-7b-it-pytorch" },
        Target = new TargetSpec
        {
            Kind = kind,
            Gke = kind == TargetKinds.Gke ? new GkeTargetSpec { Project = "p", Region = "us-west4", Cluster = "c", Mode = gkeMode, Location = "us-west4-a", Conversion = conversion } : null,
        },
        Strategy = new StrategySpec { Canary = canary },
        Cleanup = new CleanupSpec { KeepRevisions = 2 },
    };

    private static readonly CanarySpec Canary = new()
    {
        Steps =
        [
            new CanaryStepSpec { Weight = 10 },
            new CanaryStepSpec { Pause = new PauseSpec { Duration = "5m" } },
            new CanaryStepSpec { Analysis = new AnalysisSpec { Metrics = [new MetricSpec { Name = "errors", Source = "probe", Measure = "errorRate", Max = 0.01, Count = 3 }] } },
            new CanaryStepSpec { Weight = 50 },
            new CanaryStepSpec { Pause = new PauseSpec { Duration = "30s" } },
        ],
    };

    private static EnvironmentState Stable => new() { StableRevision = "r1" };

    [Fact]
    public void Plan_LocalWithoutCanary_IsAChainOfFiveSteps()
    {
        var steps = Planner.Plan(Spec(), new EnvironmentState());

        Assert.Equal(["checkpoint.convert", "engine.deploy", "traffic.shift", "revision.promote", "cleanup"], steps.Select(s => s.Name));
        Assert.Empty(steps[0].DependsOn);
        for (var i = 1; i < steps.Count; i++) Assert.Equal([steps[i - 1].Name], steps[i].DependsOn);
        Assert.Equal(100, steps[2].Parameters["weight"]!.GetValue<int>());
        Assert.Equal(2, steps[4].Parameters["keepRevisions"]!.GetValue<int>());
        Assert.All(steps, s => Assert.Equal(["local"], s.RequiredLabels));
        Assert.Equal(3600, steps[0].TimeoutSeconds);
        Assert.Equal(1800, steps[1].TimeoutSeconds);
        Assert.Equal(600, steps[2].TimeoutSeconds);
    }

    [Fact]
    public void Plan_CanaryOnFirstRollout_SkipsCanarySteps()
    {
        var steps = Planner.Plan(Spec(canary: Canary), new EnvironmentState());

        Assert.Equal(["checkpoint.convert", "engine.deploy", "traffic.shift", "revision.promote", "cleanup"], steps.Select(s => s.Name));
    }

    [Fact]
    public void Plan_CanaryWithStableRevision_InsertsCanaryStepsInOrderWithSuffixes()
    {
        var steps = Planner.Plan(Spec(canary: Canary), Stable);

        Assert.Equal(
            ["checkpoint.convert", "engine.deploy", "traffic.shift", "canary.pause", "canary.analyze", "traffic.shift-2", "canary.pause-2",
             "revision.rollback", "traffic.shift-3", "revision.promote", "cleanup"],
            steps.Select(s => s.Name));
        Assert.Equal(10, steps[2].Parameters["weight"]!.GetValue<int>());
        Assert.Equal(300, steps[3].Parameters["seconds"]!.GetValue<long>());
        Assert.Equal("errorRate", steps[4].Parameters["analysis"]!["metrics"]![0]!["measure"]!.GetValue<string>());
        Assert.Equal(50, steps[5].Parameters["weight"]!.GetValue<int>());
        Assert.Equal(30, steps[6].Parameters["seconds"]!.GetValue<long>());
        Assert.Empty(steps[7].DependsOn);
        Assert.Equal(100, steps[8].Parameters["weight"]!.GetValue<int>());
        Assert.Equal(["canary.pause-2"], steps[8].DependsOn);
        Assert.Equal(["canary.pause"], steps[4].DependsOn);
        Assert.Empty(steps[3].RequiredLabels);
    }

    [Fact]
    public void Plan_PauseUntilPromotedAndApproval_WaitForAPersonWithoutLabels()
    {
        var canary = new CanarySpec { Steps = [new CanaryStepSpec { Weight = 20 }, new CanaryStepSpec { Pause = new PauseSpec() }, new CanaryStepSpec { Approval = new ApprovalSpec { Message = "ok?" } }] };
        var steps = Planner.Plan(Spec(canary: canary), Stable).ToDictionary(s => s.Name);

        Assert.True(steps["canary.pause"].Parameters["untilPromoted"]!.GetValue<bool>());
        Assert.False(steps["canary.pause"].Parameters.ContainsKey("seconds"));
        Assert.Equal("ok?", steps["approval"].Parameters["message"]!.GetValue<string>());
        Assert.Empty(steps["approval"].RequiredLabels);
        Assert.Equal(["approval"], steps["traffic.shift-2"].DependsOn);
    }

    [Fact]
    public void Plan_BackgroundAnalysis_WatchesFromTheFirstCanaryStepUntilTheLast()
    {
        var background = new AnalysisSpec { Metrics = [new MetricSpec { Name = "errors", Source = "probe", Measure = "errorRate", Max = 0.05 }] };
        var canary = new CanarySpec { BackgroundAnalysis = background, Steps = [new CanaryStepSpec { Weight = 10 }, new CanaryStepSpec { Pause = new PauseSpec { Duration = "1m" } }, new CanaryStepSpec { Weight = 50 }] };
        var steps = Planner.Plan(Spec(canary: canary), Stable);
        var byName = steps.ToDictionary(s => s.Name);

        var watcher = byName["canary.analyze"];
        Assert.True(watcher.Parameters["background"]!.GetValue<bool>());
        Assert.Equal(["traffic.shift"], watcher.DependsOn);
        Assert.Equal("traffic.shift-2", watcher.Parameters["until"]!.GetValue<string>());
        Assert.True(watcher.TimeoutSeconds >= 24 * 3600);
        Assert.Equal(["traffic.shift-2", "canary.analyze"], byName["traffic.shift-3"].DependsOn);
    }

    [Fact]
    public void Plan_EnvironmentRequiringApproval_GatesEveryFirstStep()
    {
        foreach (var kind in new[] { TargetKinds.Local, TargetKinds.Gke })
        {
            var steps = Planner.Plan(Spec(kind, gkeMode: "standard"), new EnvironmentState(), requireApproval: true);

            Assert.Equal("approval", steps[0].Name);
            Assert.All(steps.Skip(1), s => Assert.NotEmpty(s.DependsOn));
        }
    }

    [Fact]
    public void Plan_InlineAnalysis_GetsTimeForAllItsMeasurements()
    {
        var analysis = new AnalysisSpec { Metrics = [new MetricSpec { Name = "p99", Source = "probe", Measure = "p99Ms", Max = 500, Interval = "1m", Count = 30 }] };
        var steps = Planner.Plan(Spec(canary: new CanarySpec { Steps = [new CanaryStepSpec { Weight = 10 }, new CanaryStepSpec { Analysis = analysis }] }), Stable);

        Assert.True(steps.Single(s => s.Kind == "canary.analyze").TimeoutSeconds >= 30 * 60);
    }

    [Fact]
    public void Plan_Kubernetes_PrependsSecretEnsure()
    {
        var steps = Planner.Plan(Spec(TargetKinds.Kubernetes), new EnvironmentState());

        Assert.Equal("secret.ensure", steps[0].Name);
        Assert.Equal(["secret.ensure"], steps[1].DependsOn);
        Assert.All(steps, s => Assert.Equal(["kubernetes"], s.RequiredLabels));
    }

    [Theory]
    [InlineData(TargetKinds.Kubernetes)]
    [InlineData(TargetKinds.Gke)]
    public void Plan_CanaryOnKubernetesTargets_AnalyzesOnTheTargetsRunners(string kind)
    {
        var steps = Planner.Plan(Spec(kind, canary: Canary), Stable);

        var analyze = steps.Single(s => s.Kind == "canary.analyze");
        Assert.Equal([kind], analyze.RequiredLabels);
        Assert.Equal("errorRate", analyze.Parameters["analysis"]!["metrics"]![0]!["measure"]!.GetValue<string>());
        Assert.Equal(["canary.pause"], analyze.DependsOn);
    }

    [Theory]
    [InlineData("standard", new[] { "cluster.ensure", "nodepool.ensure", "bucket.ensure", "identity.ensure", "secret.ensure" }, new[] { "nodepool.ensure", "bucket.ensure", "identity.ensure", "secret.ensure" })]
    [InlineData("autopilot", new[] { "cluster.ensure", "bucket.ensure", "identity.ensure", "secret.ensure" }, new[] { "bucket.ensure", "identity.ensure", "secret.ensure" })]
    public void Plan_GkeClusterConversion_PreparesTheCloudBeforeConversion(string mode, string[] preparation, string[] convertDependsOn)
    {
        var steps = Planner.Plan(Spec(TargetKinds.Gke, gkeMode: mode, conversion: "cluster"), new EnvironmentState());
        var byName = steps.ToDictionary(s => s.Name);

        Assert.Equal(preparation, steps.Take(preparation.Length).Select(s => s.Name));
        Assert.Empty(byName["cluster.ensure"].DependsOn);
        Assert.Empty(byName["bucket.ensure"].DependsOn);
        Assert.Equal(["cluster.ensure"], byName["identity.ensure"].DependsOn);
        Assert.Equal(["cluster.ensure"], byName["secret.ensure"].DependsOn);
        Assert.Equal(convertDependsOn, byName["checkpoint.convert"].DependsOn);
        Assert.All(steps, s => Assert.Equal(["gke"], s.RequiredLabels));
    }

    [Theory]
    [InlineData("standard", new[] { "nodepool.ensure", "identity.ensure", "secret.ensure" })]
    [InlineData("autopilot", new[] { "identity.ensure", "secret.ensure" })]
    public void Plan_GkeRunnerConversion_WaitsOnlyForTheBucket_TheDeploymentForTheCluster(string mode, string[] deployAlsoWaitsFor)
    {
        var spec = Spec(TargetKinds.Gke, gkeMode: mode) with { Model = new ModelSpec { Family = "llama-3", Size = "8b", Source = "hf://meta-llama/Meta-Llama-3-8B" } };
        foreach (var conversion in new[] { "", "runner" })
        {
            var steps = Planner.Plan(spec with { Target = spec.Target with { Gke = spec.Target.Gke! with { Conversion = conversion } } }, new EnvironmentState());
            var byName = steps.ToDictionary(s => s.Name);
            Assert.Equal(["bucket.ensure"], byName["checkpoint.convert"].DependsOn);
            Assert.Equal(["checkpoint.convert", .. deployAlsoWaitsFor], byName["engine.deploy"].DependsOn);
        }
    }

    [Fact]
    public void Plan_ServerLoad_HasNoConversion_TheDeploymentWaitsForThePreparation()
    {
        var spec = Spec(TargetKinds.Gke, gkeMode: "standard") with { Model = new ModelSpec { Family = "gemma", Size = "7b", Source = "hf://google/gemma-7b-it", Load = ModelSpec.LoadServer } };
        var steps = Planner.Plan(spec, new EnvironmentState());
        Assert.DoesNotContain(steps, s => s.Kind == "checkpoint.convert");
        Assert.Equal(["nodepool.ensure", "bucket.ensure", "identity.ensure", "secret.ensure"], steps.Single(s => s.Name == "engine.deploy").DependsOn);
    }

    [Fact]
    public void Plan_GemmaOnGke_LeftEmpty_ConvertsInTheCluster()
    {
        var steps = Planner.Plan(Spec(TargetKinds.Gke, gkeMode: "standard"), new EnvironmentState());
        Assert.Equal(["nodepool.ensure", "bucket.ensure", "identity.ensure", "secret.ensure"], steps.Single(s => s.Name == "checkpoint.convert").DependsOn);
        Assert.Equal(["checkpoint.convert"], steps.Single(s => s.Name == "engine.deploy").DependsOn);
    }

    [Fact]
    public void Plan_EveryDependency_NamesAnEarlierStep()
    {
        foreach (var spec in new[] { Spec(TargetKinds.Gke, Canary, "standard"), Spec(TargetKinds.Kubernetes, Canary) })
        {
            var seen = new HashSet<string>();
            foreach (var step in Planner.Plan(spec, Stable))
            {
                Assert.All(step.DependsOn, d => Assert.Contains(d, seen));
                Assert.True(seen.Add(step.Name), $"duplicate step name {step.Name}");
            }
        }
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("3d", 259200)]
    public void Durations_ValidText_Parses(string text, int seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(seconds, duration.TotalSeconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("m")]
    [InlineData("-5m")]
    [InlineData("5 m")]
    public void Durations_BadText_IsRejected(string text) => Assert.False(Durations.TryParse(text, out _));
}
