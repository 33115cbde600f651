using Contracts.Specs;
using Orchestrator.Rollouts;

namespace Orchestrator.Tests.Rollouts;

/// <summary>Which metric sources a rollout may name depends on its target: <c>pods</c> reads Kubernetes pods; <c>traffic</c>
/// is measured everywhere, and a comparison from it is judged by ratio.</summary>
public sealed class AnalysisValidatorTests
{
    private const string InlineSource = "strategy.canary.steps[1].analysis.metrics[0].source";
    private const string BackgroundSource = "strategy.canary.backgroundAnalysis.metrics[0].source";

    private static RolloutSpec Spec(string kind, MetricSpec metric, bool background = false) => new()
    {
        Environment = "e",
        Model = new ModelSpec { Family = "gemma", Size = "7b", Source = "hf://google/gemma-7b-it-pytorch" },
        Target = new TargetSpec
        {
            Kind = kind,
            Gke = kind == TargetKinds.Gke ? new GkeTargetSpec { Project = "my-project", Region = "us-west4", Cluster = "serving" } : null,
        },
        Strategy = new StrategySpec
        {
            Canary = new CanarySpec
            {
                Steps = background
                    ? [new CanaryStepSpec { Weight = 10 }]
                    : [new CanaryStepSpec { Weight = 10 }, new CanaryStepSpec { Analysis = new AnalysisSpec { Metrics = [metric] } }],
                BackgroundAnalysis = background ? new AnalysisSpec { Metrics = [metric with { Count = null }] } : null,
            },
        },
    };

    private static MetricSpec Pods(string measure = "restarts") => new() { Name = "pods", Source = MetricSources.Pods, Measure = measure, Max = 0, Count = 1 };

    [Theory]
    [InlineData(TargetKinds.Kubernetes, "restarts", false)]
    [InlineData(TargetKinds.Kubernetes, "readiness", true)]
    [InlineData(TargetKinds.Gke, "notReady", false)]
    [InlineData(TargetKinds.Gke, "restarts", true)]
    public void Pods_OnKubernetesTargets_IsAccepted(string kind, string measure, bool background)
    {
        var errors = SpecValidator.Validate(Spec(kind, Pods(measure), background));

        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
    }

    [Theory]
    [InlineData(false, InlineSource)]
    [InlineData(true, BackgroundSource)]
    public void Pods_OnLocal_IsRefusedNamingTheField(bool background, string field)
    {
        var errors = SpecValidator.Validate(Spec(TargetKinds.Local, Pods(), background)).ToDictionary();

        var message = Assert.Single(Assert.Single(errors, e => e.Key == field).Value);
        Assert.Contains("available on kubernetes and gke targets, not on 'local'", message, StringComparison.Ordinal);
        Assert.Single(errors);
    }

    [Theory]
    [InlineData(TargetKinds.Local, "errorRate", false)]
    [InlineData(TargetKinds.Local, "requests", true)]
    [InlineData(TargetKinds.Kubernetes, "p99Ms", false)]
    [InlineData(TargetKinds.Gke, "p95Ms", true)]
    public void Traffic_IsAcceptedOnEveryTarget(string kind, string measure, bool background)
    {
        var traffic = new MetricSpec { Name = "traffic", Source = MetricSources.Traffic, Measure = measure, Max = 0.01, Count = 1, MinSamples = 20 };

        var errors = SpecValidator.Validate(Spec(kind, traffic, background));

        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
    }

    [Theory]
    [InlineData("ratio", null, null, null)]
    [InlineData(null, null, null, null)]
    [InlineData("mannWhitney", null, "judge", "the judge is ratio")]
    [InlineData("ratio", 0.99, "confidence", "Only the mannWhitney judge takes a confidence")]
    public void ComparisonFromTraffic_IsJudgedByRatioOnly(string? judge, double? confidence, string? field, string? message)
    {
        var comparison = new MetricSpec
        {
            Name = "latency", Source = MetricSources.Comparison, Measure = "p99Ms", From = MetricSources.Traffic,
            MaxRatio = 1.5, Judge = judge, Confidence = confidence, Count = 1,
        };

        var errors = SpecValidator.Validate(Spec(TargetKinds.Local, comparison)).ToDictionary();

        if (field is null) Assert.Empty(errors);
        else Assert.Contains(message!, Assert.Single(errors[$"strategy.canary.steps[1].analysis.metrics[0].{field}"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MetricSources.Engine, null)]
    [InlineData(MetricSources.Traffic, null)]
    [InlineData(MetricSources.Comparison, MetricSources.Traffic)]
    public void Probes_OnASourceThatSendsNone_IsRefusedNamingTheField(string source, string? from)
    {
        var metric = new MetricSpec
        {
            Name = "m", Source = source, Measure = source == MetricSources.Engine ? "ttftP99Ms" : "p99Ms", From = from,
            Max = source == MetricSources.Comparison ? null : 100, MaxRatio = source == MetricSources.Comparison ? 2 : null, Probes = 10, Count = 1,
        };

        var errors = SpecValidator.Validate(Spec(TargetKinds.Local, metric)).ToDictionary();

        Assert.Equal("Only a probe metric and a comparison from probe send probes.", Assert.Single(errors["strategy.canary.steps[1].analysis.metrics[0].probes"]));
        Assert.Single(errors);
    }

    [Fact]
    public void Pods_UnknownMeasure_IsRefusedNamingTheMeasures()
    {
        var errors = SpecValidator.Validate(Spec(TargetKinds.Kubernetes, Pods("oomKills"))).ToDictionary();

        Assert.Equal("For source 'pods', must be one of: restarts, notReady, readiness.", Assert.Single(errors["strategy.canary.steps[1].analysis.metrics[0].measure"]));
    }
}
