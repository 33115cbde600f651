using Runner.Analysis;

namespace Runner.Kubernetes;

/// <summary>
/// The Kubernetes targets' live traffic: each ready pod of the revision counts what it served in its engine's
/// <c>/metrics</c> (JetStream's <c>jetstream_request_success_count</c>, our engine's <c>jetstream_request_failed_count</c>
/// where the server has it, and the <c>jetstream_time_per_request</c> histogram, whose coarse buckets make its quantiles
/// rough), read through the API server's pod proxy.
/// </summary>
internal sealed class PodTrafficFeed(HttpClient http, IEngineEndpoints endpoints) : ITrafficFeed
{
    public string Where => "on its ready pods' /metrics";

    public async Task<(IReadOnlyDictionary<string, TrafficCounts>? Readings, string? Why)> ReadAsync(string revision, CancellationToken cancellationToken)
    {
        var pods = await endpoints.RunningAsync(revision, cancellationToken);
        if (pods.Count == 0) return (null, $"revision {revision} has no ready pod");
        var readings = new Dictionary<string, TrafficCounts>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (await EngineCalls.MetricsAsync(http, pod.MetricsUrl, cancellationToken) is not { } text) continue;
            readings[pod.MetricsUrl] = TrafficCounts.Read(text, ["jetstream_request_success_count"], "jetstream_request_failed_count",
                "jetstream_time_per_request", requestsIncludeErrors: false);
        }
        return readings.Count == 0 ? (null, $"no ready pod of {revision} answered /metrics") : (readings, null);
    }
}
