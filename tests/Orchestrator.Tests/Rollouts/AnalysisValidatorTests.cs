using Contracts.Specs;
using Orchestrator.Rollouts;

namespace Orchestrator.Tests.Rollouts;

/// <summary>Which metric sources a rollout may name depends on its target: <c>pods</c> reads Kubernetes pods.</summary>
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
    [InlineData(TargetKinds.Local)]
    [InlineData(TargetKinds.Kubernetes)]
    [InlineData(TargetKinds.Gke)]
    public void Traffic_IsRefusedOnEveryTarget(string kind)
    {
        var traffic = new MetricSpec { Name = "traffic", Source = MetricSources.Traffic, Measure = "errorRate", Max = 0.01, Count = 1 };

        var errors = SpecValidator.Validate(Spec(kind, traffic)).ToDictionary();

        Assert.Contains("'traffic' source is not available yet", Assert.Single(errors[InlineSource]), StringComparison.Ordinal);
    }

    [Fact]
    public void Pods_UnknownMeasure_IsRefusedNamingTheMeasures()
    {
        var errors = SpecValidator.Validate(Spec(TargetKinds.Kubernetes, Pods("oomKills"))).ToDictionary();

        Assert.Equal("For source 'pods', must be one of: restarts, notReady, readiness.", Assert.Single(errors["strategy.canary.steps[1].analysis.metrics[0].measure"]));
    }
}
