using Runner.Analysis;

namespace Runner.Health;

/// <summary>
/// Engine figures over the time between two samples, from the replicas' cumulative <c>/metrics</c> counters: mean time to
/// first token and per output token (delta of each histogram's <c>_sum</c> over the delta of its <c>_count</c>), output
/// tokens per second, and the current backlog and slot use. A replica that restarted (a counter went down) starts over.
/// </summary>
internal static class EngineMetricsDelta
{
    public sealed record Snapshot(DateTimeOffset At, double TtftSum, double TtftCount, double TpotSum, double TpotCount, double OutputTokens);

    public sealed record Figures(double? TtftMs, double? TpotMs, double? TokensPerSecond, double? QueueDepth, double? SlotsUsedPercent);

    public static Snapshot Read(IReadOnlyList<string> texts, DateTimeOffset at) => new(
        at,
        PrometheusText.Sum(texts, "jetstream_time_to_first_token_sum") ?? 0,
        PrometheusText.Sum(texts, "jetstream_time_to_first_token_count") ?? 0,
        PrometheusText.Sum(texts, "jetstream_time_per_output_token_sum") ?? 0,
        PrometheusText.Sum(texts, "jetstream_time_per_output_token_count") ?? 0,
        PrometheusText.Sum(texts, "jetstream_request_output_length_sum") ?? 0);

    public static Figures Between(Snapshot? previous, Snapshot current, IReadOnlyList<string> texts)
    {
        var queue = PrometheusText.Sum(texts, "jetstream_prefill_backlog_size");
        var slots = PrometheusText.Average(texts, "jetstream_slots_used_percentage");
        if (previous is null || current.TtftCount < previous.TtftCount || current.OutputTokens < previous.OutputTokens)
            return new Figures(Mean(current.TtftSum, current.TtftCount), Mean(current.TpotSum, current.TpotCount), null, queue, slots);
        var seconds = (current.At - previous.At).TotalSeconds;
        return new Figures(
            Mean(current.TtftSum - previous.TtftSum, current.TtftCount - previous.TtftCount),
            Mean(current.TpotSum - previous.TpotSum, current.TpotCount - previous.TpotCount),
            seconds > 0 ? (current.OutputTokens - previous.OutputTokens) / seconds : null,
            queue, slots);
    }

    private static double? Mean(double sum, double count) => count > 0 ? sum / count * 1000 : null;
}
