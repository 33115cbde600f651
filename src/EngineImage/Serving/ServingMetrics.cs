using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace EngineImage.Serving;

/// <summary>
/// The engine's Prometheus metrics, under JetStream's names and labels where JetStream has them (<c>id</c> is the
/// host name, <c>model_name</c> the sanitised model). Counters use the <c>_total</c> sample names that Prometheus
/// clients expose. Thread safe: the engine loop records finishes, request handlers record refusals.
/// </summary>
public sealed partial class ServingMetrics
{
    private static readonly double[] LengthBuckets = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];
    private static readonly double[] OutputBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
    private static readonly double[] FirstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
    private static readonly double[] OutputTokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
    private static readonly double[] RequestBuckets = [1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0];
    private static readonly double[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256];
    private static readonly double[] QueueBuckets = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];

    private readonly string _labels;
    private readonly ConcurrentDictionary<string, long> _rejected = new(StringComparer.Ordinal);
    private long _success;
    private long _failed;
    private long _cancelled;

    public ServingMetrics(string modelName)
    {
        var id = Environment.GetEnvironmentVariable("HOSTNAME") is { Length: > 0 } host ? host : Environment.MachineName;
        var model = (modelName ?? "").Replace('-', '_');
        _labels = $"id=\"{Escape(id)}\"" + (LabelValue().IsMatch(model) ? $",model_name=\"{model}\"" : "");
    }

    public PrometheusHistogram TimeToFirstToken { get; } = new("jetstream_time_to_first_token", "Time to first token per request in seconds", FirstTokenBuckets);

    public PrometheusHistogram TimePerOutputToken { get; } = new("jetstream_time_per_output_token", "Average time per output token per request in seconds", OutputTokenBuckets);

    public PrometheusHistogram TimePerRequest { get; } = new("jetstream_time_per_request", "End to end request latency in seconds", RequestBuckets);

    public PrometheusHistogram QueueDuration { get; } = new("jetstream_queue_duration", "The total time each request spends enqueued in seconds", QueueBuckets);

    public PrometheusHistogram InputLength { get; } = new("jetstream_request_input_length", "Number of input tokens per request", LengthBuckets);

    public PrometheusHistogram OutputLength { get; } = new("jetstream_request_output_length", "Number of output tokens per request", OutputBuckets);

    /// <summary>Rows in each batched decode step: how much continuous batching is happening.</summary>
    public PrometheusHistogram DecodeBatchSize { get; } = new("engine_decode_batch_size", "Active slots decoded together in one step", BatchBuckets);

    public long SuccessCount => Interlocked.Read(ref _success);

    public long FailedCount => Interlocked.Read(ref _failed);

    public long CancelledCount => Interlocked.Read(ref _cancelled);

    public long RejectedCount(string reason) => _rejected.TryGetValue(reason, out var n) ? n : 0;

    /// <summary>Records a request that left the engine, whatever the reason.</summary>
    public void RequestFinished(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (request.Finish)
        {
            case FinishReason.Cancelled:
                Interlocked.Increment(ref _cancelled);
                return;
            case FinishReason.ShuttingDown or FinishReason.Failed:
                Interlocked.Increment(ref _failed);
                return;
        }
        Interlocked.Increment(ref _success);
        InputLength.Observe(request.PromptTokens.Count);
        OutputLength.Observe(request.Generated);
        QueueDuration.Observe(request.QueueDuration.TotalSeconds);
        TimePerRequest.Observe(request.Duration.TotalSeconds);
        if (request.Generated > 0) TimeToFirstToken.Observe(request.TimeToFirstToken.TotalSeconds);
        if (request.Generated > 1) TimePerOutputToken.Observe(request.TimePerOutputToken.TotalSeconds);
    }

    /// <summary>Records a request refused before it reached the engine (<c>bad_request</c>, <c>queue_full</c>,
    /// <c>not_ready</c>, <c>shutting_down</c>).</summary>
    public void RequestRejected(string reason) => _rejected.AddOrUpdate(reason, 1, (_, n) => n + 1);

    /// <summary>The exposition text; <paramref name="engine"/> is null while the model is loading.</summary>
    public string Render(EngineSnapshot? engine)
    {
        var text = new StringBuilder(8192);
        var slots = engine is { Slots: > 0 } e ? (double)e.ActiveSlots / e.Slots : 0;
        Gauge(text, "jetstream_prefill_backlog_size", "Size of prefill queue", engine?.Backlog ?? 0);
        Gauge(text, "jetstream_slots_used_percentage", "The percentage of decode slots currently being used", slots, "idx=\"0\"");
        Gauge(text, "num_requests_waiting", "Number of requests waiting to be processed for inference.", engine?.Backlog ?? 0);
        Gauge(text, "kv_cache_utilization_perc", "kv-cache utilization % by the requests under processing.", engine?.CacheUtilization ?? 0);
        Gauge(text, "jetstream_model_load_time", "Total time taken to load the model", engine?.ModelLoadSeconds ?? 0);
        Gauge(text, "jetstream_server_startup_latency", "Total time taken to start the Jetstream server", engine?.StartupSeconds ?? 0);
        Gauge(text, "engine_weight_bytes", "Bytes the model weights take in memory", engine?.WeightBytes ?? 0);
        Gauge(text, "engine_kv_cache_bytes", "Bytes the preallocated KV cache takes in memory", engine?.KvCacheBytes ?? 0);
        Gauge(text, "engine_live", "1 once the weights are loaded and warm", engine is null ? 0 : 1);
        Counter(text, "jetstream_request_success_count", "Number of requests successfully completed", SuccessCount);
        Counter(text, "jetstream_request_failed_count", "Requests the engine failed or cut while stopping", FailedCount);
        Counter(text, "jetstream_request_cancelled_count", "Requests whose client went away before the end", CancelledCount);
        text.Append("# HELP jetstream_request_rejected_count_total Requests refused before reaching the engine\n");
        text.Append("# TYPE jetstream_request_rejected_count_total counter\n");
        foreach (var reason in new[] { "bad_request", "queue_full", "not_ready", "shutting_down" })
            PrometheusHistogram.AppendSample(text, "jetstream_request_rejected_count_total", _labels, $"reason=\"{reason}\"", RejectedCount(reason));
        foreach (var histogram in new[] { TimeToFirstToken, TimePerOutputToken, TimePerRequest, QueueDuration, InputLength, OutputLength, DecodeBatchSize })
            histogram.WriteTo(text, _labels);
        return text.ToString();
    }

    private void Gauge(StringBuilder text, string name, string help, double value, string? extraLabel = null)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        PrometheusHistogram.AppendSample(text, name, _labels, extraLabel, value);
    }

    private void Counter(StringBuilder text, string name, string help, long value)
    {
        text.Append("# HELP ").Append(name).Append("_total ").Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append("_total counter\n");
        PrometheusHistogram.AppendSample(text, name + "_total", _labels, null, value);
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex LabelValue();
}
