using Contracts.Specs;
using Orchestrator.Rollouts;

namespace Orchestrator.Tests.Rollouts;

/// <summary><c>engine.autoscaling</c>: every bad field is named; <c>engine.replicas</c> is the starting count and must lie
/// within the range.</summary>
public sealed class AutoscalingValidatorTests
{
    private static RolloutSpec Spec(AutoscalingSpec autoscaling, int replicas = 1) => new()
    {
        Environment = "e",
        Model = new ModelSpec { Family = "llama-3", Size = "tiny", Source = "file:///m" },
        Engine = new EngineSpec { Replicas = replicas, Autoscaling = autoscaling },
    };

    private static Dictionary<string, string[]> Errors(RolloutSpec spec) => SpecValidator.Validate(spec).ToDictionary();

    [Theory]
    [InlineData(AutoscalingMetrics.PrefillBacklog, 0.5)]
    [InlineData(AutoscalingMetrics.PrefillBacklog, 40)]
    [InlineData(AutoscalingMetrics.SlotsUsed, 100)]
    [InlineData(AutoscalingMetrics.SlotsUsed, 60)]
    public void Valid_IsAccepted(string metric, double target)
    {
        var errors = Errors(Spec(new AutoscalingSpec { MinReplicas = 1, MaxReplicas = 4, Metric = metric, Target = target, ScaleDownStabilization = "30s" }, replicas: 2));

        Assert.Empty(errors);
    }

    private const string Backlog = AutoscalingMetrics.PrefillBacklog;
    private const string Slots = AutoscalingMetrics.SlotsUsed;

    [Theory]
    [InlineData(0, 3, Backlog, 4, "5m", 1, "engine.autoscaling.minReplicas")]
    [InlineData(3, 2, Backlog, 4, "5m", 3, "engine.autoscaling.maxReplicas")]
    [InlineData(1, 0, Backlog, 4, "5m", 1, "engine.autoscaling.maxReplicas")]
    [InlineData(1, 3, Backlog, 0, "5m", 1, "engine.autoscaling.target")]
    [InlineData(1, 3, Backlog, -2, "5m", 1, "engine.autoscaling.target")]
    [InlineData(1, 3, Backlog, double.NaN, "5m", 1, "engine.autoscaling.target")]
    [InlineData(1, 3, Slots, 101, "5m", 1, "engine.autoscaling.target")]
    [InlineData(1, 3, "jetstream_prefill_backlog_size", 4, "5m", 1, "engine.autoscaling.metric")]
    [InlineData(1, 3, Backlog, 4, "soon", 1, "engine.autoscaling.scaleDownStabilization")]
    [InlineData(1, 3, Backlog, 4, "2h", 1, "engine.autoscaling.scaleDownStabilization")]
    [InlineData(2, 3, Backlog, 4, "5m", 1, "engine.replicas")]
    [InlineData(1, 3, Backlog, 4, "5m", 4, "engine.replicas")]
    public void Bad_IsRefusedNamingTheFieldAlone(int min, int max, string metric, double target, string window, int replicas, string field)
    {
        var autoscaling = new AutoscalingSpec { MinReplicas = min, MaxReplicas = max, Metric = metric, Target = target, ScaleDownStabilization = window };

        var errors = Errors(Spec(autoscaling, replicas));

        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void SlotsUsed_TargetIsAPercentOfTheGaugesFraction()
    {
        var autoscaling = new AutoscalingSpec { MaxReplicas = 3, Metric = AutoscalingMetrics.SlotsUsed, Target = 60 };

        Assert.Equal(0.6, AutoscalingMetrics.GaugeTarget(autoscaling), 9);
        Assert.Equal("jetstream_slots_used_percentage", AutoscalingMetrics.PrometheusName(autoscaling.Metric));
        Assert.Equal("jetstream_prefill_backlog_size", AutoscalingMetrics.PrometheusName(AutoscalingMetrics.PrefillBacklog));
    }
}
