using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Telemetry;

/// <summary><c>Telemetry:*</c>: the Prometheus endpoint and the OTLP trace export.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Serve <c>GET /metrics</c> (unauthenticated; see the README).</summary>
    public bool Metrics { get; set; } = true;

    /// <summary>The database gauges are read at most this often, however often Prometheus scrapes.</summary>
    [Range(0, 600_000)]
    public int GaugeRefreshMilliseconds { get; set; } = 1000;

    /// <summary>Where to send traces over OTLP; empty: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; neither: no tracing at all.</summary>
    public string? OtlpEndpoint { get; set; }
}
