using System.Globalization;
using CloudTargets.Google;
using Contracts.Specs;

namespace Orchestrator.Rollouts;

/// <summary>What <c>engine.autoscaling</c> does on the spec's target, as <c>POST /api/plan</c> shows it: the range, the
/// engine's gauge behind the metric, the target in the gauge's unit, and who scales (<see cref="ScaledBy"/>).</summary>
public sealed record AutoscalingPlan(
    int MinReplicas, int MaxReplicas, int StartReplicas, string Metric, string PrometheusMetric, double Target, double GaugeTarget,
    string ScaleDownStabilization, string ScaledBy)
{
    /// <summary>Null when the spec does not autoscale. Expects a spec the validator passed.</summary>
    public static AutoscalingPlan? From(RolloutSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Engine.Autoscaling is not { } autoscaling) return null;
        var scaledBy = spec.Target.Kind == TargetKinds.Local
            ? "the runner watching the environment: it starts and drains engine processes of the stable revision from their /metrics"
            : $"a HorizontalPodAutoscaler per revision (autoscaling/v2, Pods metric prometheus.googleapis.com|{AutoscalingMetrics.PrometheusName(autoscaling.Metric)}|gauge "
              + "through the Custom Metrics Stackdriver Adapter) and a PodMonitoring for Managed Service for Prometheus; held at the traffic split while a canary runs";
        return new AutoscalingPlan(
            autoscaling.MinReplicas, autoscaling.MaxReplicas, spec.Engine.Replicas, autoscaling.Metric,
            AutoscalingMetrics.PrometheusName(autoscaling.Metric), autoscaling.Target, AutoscalingMetrics.GaugeTarget(autoscaling),
            autoscaling.ScaleDownStabilization, scaledBy);
    }

    /// <summary>A gke Standard node pool is not autoscaled: each replica takes one host's 8 chips, so replicas past
    /// what the pool holds stay Pending. Autopilot provisions a slice per replica: the cost grows with it.</summary>
    public static IReadOnlyList<string> Warnings(RolloutSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Engine.Autoscaling is not { } autoscaling || spec.Target.Gke is not { } gke || spec.Target.Kind != TargetKinds.Gke) return [];
        if (gke.Mode == "standard" && TpuCatalog.ChipsPerHost.TryGetValue(gke.Tpu.MachineType, out var perHost))
        {
            var fits = gke.Tpu.Nodes * perHost / 8;
            return autoscaling.MaxReplicas > fits
                ? [string.Create(CultureInfo.InvariantCulture, $"engine.autoscaling.maxReplicas is {autoscaling.MaxReplicas} but the node pool ({gke.Tpu.Nodes} x {gke.Tpu.MachineType}) holds {fits} replica(s): the others would stay Pending")]
                : [];
        }

        return autoscaling.MaxReplicas > spec.Engine.Replicas
            ? [string.Create(CultureInfo.InvariantCulture, $"autopilot: the cost above is for {spec.Engine.Replicas} replica(s); autoscaling may hold up to {autoscaling.MaxReplicas} TPU slices")]
            : [];
    }
}
