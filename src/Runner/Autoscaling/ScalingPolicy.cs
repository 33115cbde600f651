using Contracts.Specs;

namespace Runner.Autoscaling;

/// <summary><c>engine.autoscaling</c> as the decision reads it; <see cref="Target"/> is in the gauge's unit (a slots
/// percentage becomes the fraction the engine exports).</summary>
internal sealed record ScalingPolicy(int MinReplicas, int MaxReplicas, double Target, TimeSpan ScaleDownStabilization)
{
    /// <summary>Expects a spec the validator passed.</summary>
    public static ScalingPolicy From(AutoscalingSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Durations.TryParse(spec.ScaleDownStabilization, out var window);
        return new ScalingPolicy(spec.MinReplicas, spec.MaxReplicas, AutoscalingMetrics.GaugeTarget(spec), window);
    }
}
