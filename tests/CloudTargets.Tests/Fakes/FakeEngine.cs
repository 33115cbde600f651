using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;

namespace CloudTargets.Tests.Fakes;

/// <summary>
/// The engine one revision's pods run, as the API server's pod proxy reaches it. On the HTTP front's port, jetstream-http's
/// contract: <c>POST /generate</c> with <c>{"prompt", "max_tokens" (default 100), "stream" (default false)}</c> answers
/// <c>{"response": text}</c> (one <c>{"id", "time_created", "text"}</c> line when streaming), a refusal names its field
/// in problem+json; <c>GET /healthcheck</c> and <c>GET /</c>. On the server's port, <c>/metrics</c> in the Prometheus
/// text format under JetStream's names, as src/EngineImage renders them, each pod counting the requests it served.
/// Greedy and deterministic: the text depends on <see cref="Checkpoint"/> and the prompt only, so two revisions of one
/// checkpoint agree word for word. Not thread safe: the fake API server calls it under its lock.
/// </summary>
internal sealed class FakeEngine
{
    private const int MaxCacheLength = 2048;
    private static readonly string[] Words =
        ["the", "model", "answers", "every", "prompt", "with", "plain", "words", "and", "numbers", "like", "42", "or", "7", "river", "stone",
         "light", "quiet", "north", "city", "paris", "is", "capital", "of", "france", "def", "fib", "return", "n", "if", "else", "blue"];
    private static readonly double[] FirstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
    private static readonly double[] OutputTokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
    // JetStream's own buckets for jetstream_time_per_request (jetstream/core/metrics/prometheus.py).
    private static readonly double[] RequestBuckets = [1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0];
    private static readonly double[] OutputLengthBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
    private readonly Dictionary<string, List<int>> _served = new(StringComparer.Ordinal);

    /// <summary>What the weights are: revisions with the same checkpoint answer alike.</summary>
    public string Checkpoint { get; set; } = "gemma-7b-it/final/bf16";

    /// <summary>The time to first token every answer is recorded with, in seconds.</summary>
    public double TimeToFirstTokenSeconds { get; set; } = 0.02;

    public double TimePerOutputTokenSeconds { get; set; } = 0.012;

    /// <summary>The end-to-end latency every answer is recorded with, in seconds.</summary>
    public double TimePerRequestSeconds { get; set; } = 0.5;

    /// <summary>The share of decode slots in use that <c>/metrics</c> reports.</summary>
    public double SlotsUsed { get; set; } = 0.25;

    /// <summary>Answers to <c>/generate</c> so far, by all pods.</summary>
    public int Generated => _served.Values.Sum(s => s.Count);

    /// <summary>The output lengths of the answers one pod gave, in order.</summary>
    public IReadOnlyList<int> Served(string pod) => _served.GetValueOrDefault(pod) ?? [];

    public RawReply Answer(string pod, int port, string method, string path, string body) => (port, method, path) switch
    {
        (Names.HttpPort, "POST", "/generate") => Generate(pod, body),
        (Names.HttpPort, "GET", "/healthcheck") => Json(200, new JsonObject { ["response"] = new JsonObject { ["is_live"] = true } }),
        (Names.HttpPort, "GET", "/") => Json(200, new JsonObject { ["message"] = "JetStream HTTP Server" }),
        (Names.ServerPort, "GET", "/metrics") => new RawReply(200, "text/plain; version=0.0.4; charset=utf-8", Metrics(pod)),
        _ => Json(404, new JsonObject { ["detail"] = "Not Found" }),
    };

    /// <summary>The greedy answer of this checkpoint to a prompt: <paramref name="tokens"/> words.</summary>
    public string Text(string prompt, int tokens)
    {
        var seed = SHA256.HashData(Encoding.UTF8.GetBytes(Checkpoint + "\0" + prompt));
        return string.Join(' ', Enumerable.Range(0, tokens).Select(i => Words[(seed[i % seed.Length] + (i * 7)) % Words.Length]));
    }

    private RawReply Generate(string pod, string body)
    {
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return Refuse(null, $"The request body is not valid JSON: {e.Message}");
        }

        if (request is not JsonObject fields) return Refuse(null, "The request body must be a JSON object");
        if (fields["prompt"] is not JsonValue prompt || !prompt.TryGetValue<string>(out var text)) return Refuse("prompt", "prompt is required and must be a string");
        var maxTokens = 100;
        if (fields["max_tokens"] is { } max && (max is not JsonValue v || !v.TryGetValue(out maxTokens))) return Refuse("max_tokens", "max_tokens must be an integer");
        if (maxTokens is <= 0 or > MaxCacheLength) return Refuse("max_tokens", $"max_tokens must be between 1 and the cache length {MaxCacheLength}, got {maxTokens}");
        var stream = false;
        if (fields["stream"] is { } s && (s is not JsonValue b || !b.TryGetValue(out stream))) return Refuse("stream", "stream must be a boolean");
        if (!_served.TryGetValue(pod, out var served)) _served[pod] = served = [];
        served.Add(maxTokens);
        var answer = Text(text, maxTokens);
        if (!stream) return Json(200, new JsonObject { ["response"] = answer });
        var line = new JsonObject { ["id"] = Guid.NewGuid().ToString("N"), ["time_created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["text"] = answer };
        return new RawReply(200, "application/x-ndjson", line.ToJsonString() + "\n");
    }

    private string Metrics(string pod)
    {
        var labels = $"id=\"{pod}\",model_name=\"gemma\"";
        var served = Served(pod);
        var text = new StringBuilder();
        Gauge(text, "jetstream_prefill_backlog_size", labels, 0);
        Gauge(text, "jetstream_slots_used_percentage", labels + ",idx=\"0\"", SlotsUsed);
        text.Append("# TYPE jetstream_request_success_count_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"jetstream_request_success_count_total{{{labels}}} {served.Count}.0\n");
        Histogram(text, "jetstream_time_to_first_token", labels, FirstTokenBuckets, served.Select(_ => TimeToFirstTokenSeconds).ToList());
        Histogram(text, "jetstream_time_per_output_token", labels, OutputTokenBuckets, served.Select(_ => TimePerOutputTokenSeconds).ToList());
        Histogram(text, "jetstream_time_per_request", labels, RequestBuckets, served.Select(_ => TimePerRequestSeconds).ToList());
        Histogram(text, "jetstream_request_output_length", labels, OutputLengthBuckets, served.Select(n => (double)n).ToList());
        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string labels, double value)
    {
        text.Append(CultureInfo.InvariantCulture, $"# TYPE {name} gauge\n{name}{{{labels}}} {value:0.0###}\n");
    }

    // The latencies are recorded with the current settings: every answer so far observed the same value.
    private static void Histogram(StringBuilder text, string name, string labels, double[] buckets, IReadOnlyList<double> values)
    {
        text.Append(CultureInfo.InvariantCulture, $"# TYPE {name} histogram\n");
        foreach (var le in buckets)
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"{le}\"}} {values.Count(v => v <= le)}.0\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels},le=\"+Inf\"}} {values.Count}.0\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_count{{{labels}}} {values.Count}.0\n{name}_sum{{{labels}}} {values.Sum()}\n");
    }

    private static RawReply Json(int status, JsonObject body) => new(status, "application/json", body.ToJsonString());

    private static RawReply Refuse(string? field, string title) => new(400, "application/problem+json",
        new JsonObject { ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.1", ["title"] = title, ["status"] = 400, ["field"] = field }.ToJsonString());
}
