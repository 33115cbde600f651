using System.Globalization;
using System.Text.Json.Nodes;
using Contracts.Specs;

namespace CloudTargets.Kubernetes;

/// <summary>
/// <c>engine.autoscaling</c> on Kubernetes, as GKE documents it for single-host JetStream on TPUs: a PodMonitoring per
/// revision so that Google Cloud Managed Service for Prometheus scrapes the engine's <c>/metrics</c> on the server port,
/// and a HorizontalPodAutoscaler (autoscaling/v2) per revision, named after its Deployment and targeting it alone, on the
/// Pods metric <c>prometheus.googleapis.com|METRIC|gauge</c> that the Custom Metrics Stackdriver Adapter serves (an
/// <c>AverageValue</c> per pod). One of each per revision, so a canary's never acts on the stable's pods.
/// </summary>
public static class AutoscalingManifests
{
    /// <summary>How often Managed Service for Prometheus scrapes the engines (GKE's example for server metrics).</summary>
    public const string ScrapeInterval = "15s";

    public static string MetricName(AutoscalingSpec autoscaling) =>
        $"prometheus.googleapis.com|{AutoscalingMetrics.PrometheusName(autoscaling.Metric)}|gauge";

    public static JsonObject PodMonitoring(Manifests manifests, string revision)
    {
        var metadata = manifests.Metadata(Names.Deployment(revision));
        metadata["labels"] = manifests.Labels(Names.App);
        return new JsonObject
        {
            ["apiVersion"] = "monitoring.googleapis.com/v1",
            ["kind"] = "PodMonitoring",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                // The revision's pods only: its HPA reads its own pods' series.
                ["selector"] = new JsonObject { ["matchLabels"] = manifests.Labels(Names.App) },
                ["endpoints"] = new JsonArray(new JsonObject
                {
                    ["port"] = Names.ServerPort,
                    ["path"] = "/metrics",
                    ["interval"] = ScrapeInterval,
                }),
            },
        };
    }

    public static JsonObject HorizontalPodAutoscaler(Manifests manifests, string revision, AutoscalingSpec autoscaling)
    {
        ArgumentNullException.ThrowIfNull(autoscaling);
        var metadata = manifests.Metadata(Names.Deployment(revision));
        metadata["labels"] = manifests.Labels(Names.App);
        Durations.TryParse(autoscaling.ScaleDownStabilization, out var window);
        return new JsonObject
        {
            ["apiVersion"] = "autoscaling/v2",
            ["kind"] = "HorizontalPodAutoscaler",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["scaleTargetRef"] = new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "Deployment",
                    ["name"] = Names.Deployment(revision),
                },
                ["minReplicas"] = autoscaling.MinReplicas,
                ["maxReplicas"] = autoscaling.MaxReplicas,
                ["metrics"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Pods",
                    ["pods"] = new JsonObject
                    {
                        ["metric"] = new JsonObject { ["name"] = MetricName(autoscaling) },
                        ["target"] = new JsonObject
                        {
                            ["type"] = "AverageValue",
                            ["averageValue"] = Quantity(AutoscalingMetrics.GaugeTarget(autoscaling)),
                        },
                    },
                }),
                ["behavior"] = new JsonObject
                {
                    ["scaleDown"] = new JsonObject { ["stabilizationWindowSeconds"] = (int)window.TotalSeconds },
                },
            },
        };
    }

    /// <summary>A Kubernetes quantity: whole numbers as they are, fractions in milli-units (0.6 → <c>600m</c>).</summary>
    public static string Quantity(double value)
    {
        var milli = (long)Math.Round(value * 1000, MidpointRounding.AwayFromZero);
        return milli % 1000 == 0
            ? (milli / 1000).ToString(CultureInfo.InvariantCulture)
            : milli.ToString(CultureInfo.InvariantCulture) + "m";
    }
}
