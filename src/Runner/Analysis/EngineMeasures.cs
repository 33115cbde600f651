using System.Globalization;
using System.Text.Json;
using Contracts.Specs;

namespace Runner.Analysis;

/// <summary>
/// The measures every target takes from its engines' HTTP API: synthetic probes and golden prompts to the replicas of
/// the canary and of the stable revision, their comparison, and the engines' <c>/metrics</c>. The target says where the
/// replicas answer (<see cref="IEngineEndpoints"/>) and gives the HTTP client that reaches them.
/// </summary>
internal sealed class EngineMeasures(HttpClient http, IEngineEndpoints endpoints, TimeProvider time)
{
    private const string ProbePrompt = "Hello";
    private const int ProbeTokens = 4;

    public static bool Measures(string source) =>
        source is MetricSources.Probe or MetricSources.GoldenPrompts or MetricSources.Comparison or MetricSources.Engine;

    public async Task<Measurement> MeasureAsync(MetricSpec metric, CancellationToken cancellationToken) => metric.Source switch
    {
        MetricSources.Probe => await ProbeAsync(metric, cancellationToken),
        MetricSources.GoldenPrompts => await GoldenAsync(metric, cancellationToken),
        MetricSources.Comparison => await CompareAsync(metric, cancellationToken),
        MetricSources.Engine => await EngineAsync(metric, cancellationToken),
        _ => Measurement.NoData($"source {metric.Source} is not an engine measure", time.GetUtcNow()),
    };

    private string Canary => endpoints.Canary;

    private sealed class ProbeTally
    {
        public List<double> Latencies { get; } = [];
        public int Errors { get; set; }
        /// <summary>Requests that never reached an engine: counted nowhere else.</summary>
        public int Unreached { get; set; }
        public string? WhyUnreached { get; set; }
        public int Total => Latencies.Count + Errors;
        public string Missed => Unreached == 0 ? "" : $", {Unreached} did not reach it: {WhyUnreached}";
    }

    private async Task<ProbeTally?> ProbesAsync(string? revision, int perReplica, CancellationToken cancellationToken) =>
        revision is null ? null : (await InterleavedProbesAsync([revision], perReplica, cancellationToken))?[0];

    /// <summary>
    /// Probes the replicas of each revision in turn, one request at a time, alternating which revision goes first in
    /// each round, so that both sides of a comparison are measured under the same load at the same moments. One
    /// uncounted request per replica first takes a cold replica's first-call costs out of the figures.
    /// </summary>
    private async Task<ProbeTally[]?> InterleavedProbesAsync(IReadOnlyList<string> revisions, int perReplica, CancellationToken cancellationToken)
    {
        var urls = new List<IReadOnlyList<EngineEndpoint>>();
        foreach (var revision in revisions) urls.Add(await endpoints.RunningAsync(revision, cancellationToken));
        if (urls.Any(u => u.Count == 0)) return null;
        foreach (var endpoint in urls.SelectMany(u => u))
            await EngineCalls.GenerateAsync(http, endpoint.Url, ProbePrompt, ProbeTokens, cancellationToken);
        var tallies = revisions.Select(_ => new ProbeTally()).ToArray();
        for (var round = 0; round < perReplica; round++)
        {
            for (var k = 0; k < revisions.Count; k++)
            {
                var side = (k + round) % revisions.Count;
                foreach (var endpoint in urls[side])
                {
                    var answer = await EngineCalls.GenerateAsync(http, endpoint.Url, ProbePrompt, ProbeTokens, cancellationToken);
                    var tally = tallies[side];
                    if (answer.Ok) tally.Latencies.Add(answer.Milliseconds);
                    else if (!answer.Reached) (tally.Unreached, tally.WhyUnreached) = (tally.Unreached + 1, answer.Error);
                    else tally.Errors++;
                }
            }
        }
        return tallies;
    }

    private async Task<Measurement> ProbeAsync(MetricSpec metric, CancellationToken cancellationToken)
    {
        var revision = endpoints.RevisionOf(metric);
        if (await ProbesAsync(revision, metric.Probes ?? 5, cancellationToken) is not { } probes)
            return Measurement.NoData($"revision {revision ?? "(no stable)"} has no {endpoints.RunningName} to probe", time.GetUtcNow());
        var total = probes.Total;
        if (total == 0) return Measurement.NoData($"no probe reached {revision}{probes.Missed}", time.GetUtcNow());
        double? value = metric.Measure switch
        {
            "errorRate" => (double)probes.Errors / total,
            "p50Ms" => Percentiles.Of(probes.Latencies, 0.5),
            _ => Percentiles.Of(probes.Latencies, 0.99),
        };
        return Verdict.Within(metric, value, string.Create(CultureInfo.InvariantCulture, $"({total} probes of {revision}, {probes.Errors} failed{probes.Missed})"), time.GetUtcNow());
    }

    private async Task<Measurement> GoldenAsync(MetricSpec metric, CancellationToken cancellationToken)
    {
        var golden = metric.GoldenPrompts!;
        var prompts = golden.Prompts.Count > 0 ? golden.Prompts : await ReadPromptsAsync(golden.File!, cancellationToken);
        if (endpoints.Stable is not { } stableRevision) return Measurement.NoData("there is no stable revision to compare with", time.GetUtcNow());
        var stable = (await endpoints.LiveAsync(stableRevision, cancellationToken)).FirstOrDefault();
        if (stable is null) return Measurement.NoData($"stable revision {stableRevision} has no {endpoints.LiveName} to compare with", time.GetUtcNow());
        var canary = (await endpoints.LiveAsync(Canary, cancellationToken)).FirstOrDefault();
        if (canary is null) return Measurement.NoData($"revision {Canary} has no {endpoints.LiveName}", time.GetUtcNow());
        var answers = new List<(string Canary, string Stable)>();
        foreach (var prompt in prompts)
        {
            var fromStable = await EngineCalls.GenerateAsync(http, stable.Url, prompt, golden.Tokens, cancellationToken);
            if (!fromStable.Ok) return Measurement.NoData($"the stable revision did not answer a golden prompt: {fromStable.Error}", time.GetUtcNow());
            var fromCanary = await EngineCalls.GenerateAsync(http, canary.Url, prompt, golden.Tokens, cancellationToken);
            if (!fromCanary.Reached) return Measurement.NoData($"a golden prompt did not reach the canary: {fromCanary.Error}", time.GetUtcNow());
            // A canary that cannot answer disagrees.
            answers.Add((fromCanary.Ok ? fromCanary.Text : "\u0000" + fromCanary.Error, fromStable.Text));
        }
        var (exact, tokens) = GoldenComparison.Compare(answers, golden.Tokens);
        var value = metric.Measure == "exactMatch" ? exact : tokens;
        return Verdict.Within(metric, value, string.Create(CultureInfo.InvariantCulture,
            $"({answers.Count} prompts: exact match {exact:0.###}, token agreement {tokens:0.###} over {golden.Tokens} tokens)"), time.GetUtcNow());
    }

    private async Task<Measurement> CompareAsync(MetricSpec metric, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (endpoints.Stable is not { } stable) return Measurement.NoData("there is no stable revision to compare with", now);
        var perReplica = metric.Probes ?? 10;
        if ((await endpoints.RunningAsync(Canary, cancellationToken)).Count == 0) return Measurement.NoData($"revision {Canary} has no {endpoints.RunningName}", now);
        if (await InterleavedProbesAsync([Canary, stable], perReplica, cancellationToken) is not [var canary, var baseline])
            return Measurement.NoData($"stable revision {stable} has no {endpoints.RunningName}", now);
        var minimum = Math.Max(metric.MinSamples ?? 1, 8);
        if (canary.Total < minimum || baseline.Total < minimum)
            return Measurement.NoData($"fewer than {minimum} requests on a side{canary.Missed}{baseline.Missed}", time.GetUtcNow());
        var maxRatio = metric.MaxRatio!.Value;
        if (metric.Measure == "errorRate")
        {
            // A floor of 1 % keeps a stable without errors from making any single canary error an infinite ratio.
            var c = Math.Max(0.01, (double)canary.Errors / canary.Total);
            var b = Math.Max(0.01, (double)baseline.Errors / baseline.Total);
            return Outcome(c / b <= maxRatio, c / b, string.Create(CultureInfo.InvariantCulture, $"(canary/stable error rate, floor 0.01; at most {maxRatio})"));
        }
        var q = metric.Measure switch { "p50Ms" => 0.5, "p95Ms" => 0.95, _ => 0.99 };
        if (canary.Latencies.Count == 0 || baseline.Latencies.Count == 0) return Measurement.NoData("no successful request on a side", time.GetUtcNow());
        var ratio = Percentiles.Of(canary.Latencies, q)!.Value / Math.Max(0.001, Percentiles.Of(baseline.Latencies, q)!.Value);
        if (metric.Judge == "ratio")
            return Outcome(ratio <= maxRatio, ratio, string.Create(CultureInfo.InvariantCulture, $"(canary/stable {metric.Measure}; at most {maxRatio})"));
        var p = MannWhitney.GreaterPValue(canary.Latencies, baseline.Latencies);
        var alpha = 1 - (metric.Confidence ?? 0.95);
        return Outcome(!(p < alpha && ratio > maxRatio), ratio, string.Create(CultureInfo.InvariantCulture,
            $"(canary/stable {metric.Measure}; Mann-Whitney p={p:0.####} for a slower canary, fails when p < {alpha:0.###} and the ratio exceeds {maxRatio})"));
    }

    private async Task<Measurement> EngineAsync(MetricSpec metric, CancellationToken cancellationToken)
    {
        var revision = endpoints.RevisionOf(metric);
        var texts = new List<string>();
        foreach (var endpoint in revision is null ? [] : await endpoints.RunningAsync(revision, cancellationToken))
            if (await EngineCalls.MetricsAsync(http, endpoint.MetricsUrl, cancellationToken) is { } text) texts.Add(text);
        if (texts.Count == 0) return Measurement.NoData($"no {endpoints.RunningName} of {revision ?? "(no stable)"} answered /metrics", time.GetUtcNow());
        double? value = metric.Measure switch
        {
            "ttftP50Ms" => PrometheusText.Quantile(texts, "jetstream_time_to_first_token", 0.5) * 1000,
            "ttftP99Ms" => PrometheusText.Quantile(texts, "jetstream_time_to_first_token", 0.99) * 1000,
            "tpotP50Ms" => PrometheusText.Quantile(texts, "jetstream_time_per_output_token", 0.5) * 1000,
            "tpotP99Ms" => PrometheusText.Quantile(texts, "jetstream_time_per_output_token", 0.99) * 1000,
            "queue" => PrometheusText.Sum(texts, "jetstream_prefill_backlog_size"),
            _ => PrometheusText.Average(texts, "jetstream_slots_used_percentage"),
        };
        return Verdict.Within(metric, value, $"(/metrics of {texts.Count} {endpoints.RunningName}(s) of {revision}; histograms since each started)", time.GetUtcNow());
    }

    private Measurement Outcome(bool ok, double value, string detail) => Verdict.Of(ok, value, detail, time.GetUtcNow());

    // One prompt a line, or a JSON array of strings.
    private static async Task<IReadOnlyList<string>> ReadPromptsAsync(string file, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(new Uri(file).LocalPath, cancellationToken);
        if (text.TrimStart().StartsWith('[')) return JsonSerializer.Deserialize<List<string>>(text) ?? [];
        return text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
    }
}
