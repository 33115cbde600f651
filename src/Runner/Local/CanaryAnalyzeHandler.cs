using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Runner.Agent;
using Runner.Front;

namespace Runner.Local;

/// <summary><c>canary.analyze</c>: a few <c>/generate</c> probes to every replica of the canary (and of the stable
/// revision, for comparison); fails when the canary's error rate or p99 latency exceed the step's parameters.</summary>
internal static class CanaryAnalyzeHandler
{
    public static async Task<StepResult> RunAsync(LocalStep step, EngineProbe probe, CancellationToken cancellationToken)
    {
        var maxErrorRate = step.DoubleParameter("maxErrorRate") ?? 0.01;
        var maxP99 = step.IntParameter("maxP99LatencyMs") ?? 5000;
        var probes = Math.Max(1, step.IntParameter("probes") ?? 5);
        var canary = await MeasureAsync(step, probe, step.Revision, probes, cancellationToken);
        var outputs = new JsonObject { ["canary"] = canary.ToJson() };
        if (RouteTable.Load(step.Layout.RoutesPath)?.StableRevision is { } stable && stable != step.Revision)
        {
            outputs["stable"] = (await MeasureAsync(step, probe, stable, probes, cancellationToken)).ToJson();
        }

        if (canary.Requests == 0)
        {
            return StepResult.Failed($"revision {step.Revision} has no replica to probe", outputs);
        }

        if (canary.ErrorRate > maxErrorRate)
        {
            return StepResult.Failed(
                string.Create(CultureInfo.InvariantCulture, $"canary error rate {canary.ErrorRate:0.###} exceeds {maxErrorRate:0.###}"), outputs);
        }

        return canary.P99Ms > maxP99
            ? StepResult.Failed($"canary p99 latency {canary.P99Ms} ms exceeds {maxP99} ms", outputs)
            : StepResult.Succeeded(outputs);
    }

    private static async Task<ProbeFigures> MeasureAsync(
        LocalStep step, EngineProbe probe, string revision, int probes, CancellationToken cancellationToken)
    {
        var latencies = new List<long>();
        var errors = 0;
        foreach (var replica in Replicas.Recorded(step.Layout, revision))
        {
            for (var i = 0; i < probes; i++)
            {
                var watch = Stopwatch.StartNew();
                var ok = await GenerateAsync(probe, Replicas.Url(replica), cancellationToken);
                latencies.Add(watch.ElapsedMilliseconds);
                errors += ok ? 0 : 1;
            }
        }

        var figures = new ProbeFigures(revision, latencies.Count, errors, Percentile(latencies, 0.99));
        step.Log.Write(string.Create(CultureInfo.InvariantCulture,
            $"{revision}: {figures.Requests} probes, {figures.Errors} errors, p99 {figures.P99Ms} ms"));
        return figures;
    }

    private static async Task<bool> GenerateAsync(EngineProbe probe, string baseUrl, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            using var response = await probe.Http.PostAsJsonAsync(
                $"{baseUrl}/generate", new { prompt = "Hello", max_tokens = 4, stream = false }, timeout.Token);
            var body = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonObject>(timeout.Token) : null;
            return body?["response"] is not null;
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private static long Percentile(List<long> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private sealed record ProbeFigures(string Revision, int Requests, int Errors, long P99Ms)
    {
        public double ErrorRate => Requests == 0 ? 1 : (double)Errors / Requests;

        public JsonObject ToJson() => new()
        {
            ["revision"] = Revision,
            ["requests"] = Requests,
            ["errors"] = Errors,
            ["errorRate"] = ErrorRate,
            ["p99Ms"] = P99Ms,
        };
    }
}
