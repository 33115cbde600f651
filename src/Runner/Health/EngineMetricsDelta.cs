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

    private static readonly string[] Counters =
    [
        "jetstream_time_to_first_token_sum", "jetstream_time_to_first_token_count", "jetstream_time_per_output_token_sum",
        "jetstream_time_per_output_token_count", "jetstream_request_output_length_sum",
    ];

    private static readonly string[] Gauges = ["jetstream_prefill_backlog_size", "jetstream_slots_used_percentage"];

    public static Snapshot Read(IReadOnlyList<string> texts, DateTimeOffset at)
    {
        var totals = PrometheusText.Totals(texts, Counters);
        double Sum(string name) => totals.TryGetValue(name, out var t) ? t.Sum : 0;
        return new Snapshot(at, Sum(Counters[0]), Sum(Counters[1]), Sum(Counters[2]), Sum(Counters[3]), Sum(Counters[4]));
    }

    public static Figures Between(Snapshot? previous, Snapshot current, IReadOnlyList<string> texts)
    {
        var totals = PrometheusText.Totals(texts, Gauges);
        double? queue = totals.TryGetValue(Gauges[0], out var q) ? q.Sum : null;
        double? slots = totals.TryGetValue(Gauges[1], out var s) ? s.Sum / s.Series : null;
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
