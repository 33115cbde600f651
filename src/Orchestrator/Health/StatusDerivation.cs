using System.Globalization;
using Contracts.Protocol;

namespace Orchestrator.Health;

/// <summary>The status one sample shows. Pure, so that the rules are tested without a database.</summary>
public static class StatusDerivation
{
    public static (string Status, string Reason) Derive(HealthSample sample, int degradedLatencyMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Unobserved) return (HealthStatuses.Unknown, "the watcher cannot reach the environment's target" + Suffix(sample.Error));
        if (!sample.HealthcheckOk) return (HealthStatuses.Down, "healthcheck failed" + Suffix(sample.Error));
        if (!sample.GenerateOk) return (HealthStatuses.Down, "generate probe failed" + Suffix(sample.Error));
        if (sample is { ReplicasTotal: > 0, ReplicasReady: { } ready } && ready < sample.ReplicasTotal)
            return (HealthStatuses.Degraded, string.Create(CultureInfo.InvariantCulture, $"{ready} of {sample.ReplicasTotal} replicas ready"));
        if (sample.GenerateLatencyMs is { } latency && latency > degradedLatencyMilliseconds)
            return (HealthStatuses.Degraded, string.Create(CultureInfo.InvariantCulture, $"generate took {latency:0} ms (threshold {degradedLatencyMilliseconds} ms)"));
        return (HealthStatuses.Healthy, "healthcheck and generate ok");
    }

    private static string Suffix(string? error) => string.IsNullOrEmpty(error) ? "" : ": " + (error.Length > 300 ? error[..300] : error);
}
