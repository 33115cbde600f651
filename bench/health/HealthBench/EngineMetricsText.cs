using System.Globalization;
using System.Text;

namespace HealthBench;

/// <summary>
/// One synthetic engine's <c>/metrics</c>: the metric names, labels, buckets and number format of
/// <c>src/EngineImage/Serving/ServingMetrics.cs</c> (JetStream's names), for traffic simulated at about two requests a
/// second, so that histograms grow between two probes and the watcher's rates have something to compute. Thread safe.
/// </summary>
internal sealed class EngineMetricsText(int port)
{
    private static readonly double[] LengthBuckets = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];
    private static readonly double[] OutputBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
    private static readonly double[] FirstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
    private static readonly double[] OutputTokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
    private static readonly double[] RequestBuckets = [1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0];
    private static readonly double[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256];
    private static readonly double[] QueueBuckets = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];
    private const string Labels = "id=\"healthbench\",model_name=\"llama_3\"";

    private readonly Lock _lock = new();
    private readonly Random _random = new(port);
    private readonly Histogram _ttft = new("jetstream_time_to_first_token", "Time to first token per request in seconds", FirstTokenBuckets);
    private readonly Histogram _tpot = new("jetstream_time_per_output_token", "Average time per output token per request in seconds", OutputTokenBuckets);
    private readonly Histogram _request = new("jetstream_time_per_request", "End to end request latency in seconds", RequestBuckets);
    private readonly Histogram _queue = new("jetstream_queue_duration", "The total time each request spends enqueued in seconds", QueueBuckets);
    private readonly Histogram _input = new("jetstream_request_input_length", "Number of input tokens per request", LengthBuckets);
    private readonly Histogram _output = new("jetstream_request_output_length", "Number of output tokens per request", OutputBuckets);
    private readonly Histogram _batch = new("engine_decode_batch_size", "Active slots decoded together in one step", BatchBuckets);
    private DateTimeOffset _last = DateTimeOffset.UtcNow;
    private double _owed;
    private long _success;

    public string Render()
    {
        lock (_lock)
        {
            Simulate();
            var text = new StringBuilder(12_288);
            var backlog = _random.Next(0, 3);
            Gauge(text, "jetstream_prefill_backlog_size", "Size of prefill queue", backlog);
            Gauge(text, "jetstream_slots_used_percentage", "The percentage of decode slots currently being used", _random.Next(0, 5) / 4.0, "idx=\"0\"");
            Gauge(text, "num_requests_waiting", "Number of requests waiting to be processed for inference.", backlog);
            Gauge(text, "kv_cache_utilization_perc", "kv-cache utilization % by the requests under processing.", _random.NextDouble() * 0.5);
            Gauge(text, "jetstream_model_load_time", "Total time taken to load the model", 41.5);
            Gauge(text, "jetstream_server_startup_latency", "Total time taken to start the Jetstream server", 43.2);
            Gauge(text, "engine_weight_bytes", "Bytes the model weights take in memory", 16_060_522_496);
            Gauge(text, "engine_kv_cache_bytes", "Bytes the preallocated KV cache takes in memory", 4_294_967_296);
            Gauge(text, "engine_live", "1 once the weights are loaded and warm", 1);
            Counter(text, "jetstream_request_success_count", "Number of requests successfully completed", _success);
            Counter(text, "jetstream_request_failed_count", "Requests the engine failed or cut while stopping", 0);
            Counter(text, "jetstream_request_cancelled_count", "Requests whose client went away before the end", _success / 200);
            text.Append("# HELP jetstream_request_rejected_count_total Requests refused before reaching the engine\n");
            text.Append("# TYPE jetstream_request_rejected_count_total counter\n");
            foreach (var reason in new[] { "bad_request", "queue_full", "not_ready", "shutting_down" })
                Sample(text, "jetstream_request_rejected_count_total", $"reason=\"{reason}\"", 0);
            foreach (var histogram in new[] { _ttft, _tpot, _request, _queue, _input, _output, _batch }) histogram.WriteTo(text);
            return text.ToString();
        }
    }

    // The requests that finished since the last scrape, at about two a second.
    private void Simulate()
    {
        var now = DateTimeOffset.UtcNow;
        _owed += (now - _last).TotalSeconds * 2 * (0.5 + _random.NextDouble());
        _last = now;
        for (; _owed >= 1; _owed--)
        {
            var output = _random.Next(8, 400);
            var ttft = 0.02 + _random.NextDouble() * 0.2;
            var tpot = 0.012 + _random.NextDouble() * 0.03;
            _success++;
            _ttft.Observe(ttft);
            _tpot.Observe(tpot);
            _request.Observe(ttft + output * tpot);
            _queue.Observe(_random.NextDouble() * 0.05);
            _input.Observe(_random.Next(4, 1500));
            _output.Observe(output);
            _batch.Observe(_random.Next(1, 9));
        }
    }

    private static void Gauge(StringBuilder text, string name, string help, double value, string? extraLabel = null)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        Sample(text, name, extraLabel, value);
    }

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        text.Append("# HELP ").Append(name).Append("_total ").Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append("_total counter\n");
        Sample(text, name + "_total", null, value);
    }

    private static void Sample(StringBuilder text, string name, string? extraLabel, double value)
    {
        text.Append(name).Append('{').Append(Labels);
        if (extraLabel is not null) text.Append(',').Append(extraLabel);
        text.Append("} ").Append(double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("0.0###########", CultureInfo.InvariantCulture)).Append('\n');
    }

    private sealed class Histogram(string name, string help, double[] buckets)
    {
        private readonly long[] _counts = new long[buckets.Length];
        private long _count;
        private double _sum;

        public void Observe(double value)
        {
            for (var i = 0; i < buckets.Length; i++)
                if (value <= buckets[i]) _counts[i]++;
            _count++;
            _sum += value;
        }

        public void WriteTo(StringBuilder text)
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(" histogram\n");
            for (var i = 0; i < buckets.Length; i++)
                Sample(text, name + "_bucket", "le=\"" + buckets[i].ToString("0.0###########", CultureInfo.InvariantCulture) + "\"", _counts[i]);
            Sample(text, name + "_bucket", "le=\"+Inf\"", _count);
            Sample(text, name + "_count", null, _count);
            Sample(text, name + "_sum", null, _sum);
        }
    }
}
