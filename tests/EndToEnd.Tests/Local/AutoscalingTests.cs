using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Local;

/// <summary><c>engine.autoscaling</c> on the local target with real engines: a load that keeps the prefill backlog above
/// target scales the revision from 1 to 3 engines; once it stops, the revision goes back to 1 after the stabilisation
/// window; a client of the front sees no failed request all along, and every change is a <c>scaled</c> event.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class AutoscalingTests(TinyModelFixture model)
{
    private const int Window = 15;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task BacklogAboveTarget_ScalesOneToThree_ThenBackAfterTheWindow_WithoutAFailedRequest()
    {
        await using var stack = await TestStack.StartAsync();
        await stack.StartRunnerAsync("solo");
        using (var put = await stack.Api.PutAsJsonAsync("api/environments/local", new { targetKind = "local", health = new { interval = "1s" } }))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var frontPort = FreePort.Next();
        var spec = Path.Combine(stack.Dir, "autoscaled.yaml");
        // One decode slot per engine: eight clients keep about seven requests waiting for prefill on one engine.
        File.WriteAllText(spec, $"""
            environment: local
            model:
              family: llama-3
              size: tiny
              source: "file://{model.Dir}"
            engine:
              batchSize: 1
              maxCacheLength: 128
              replicas: 1
              autoscaling:
                minReplicas: 1
                maxReplicas: 3
                metric: prefillBacklog
                target: 1
                scaleDownStabilization: {Window}s
            target:
              kind: local
              local:
                frontPort: {frontPort}
                engineBasePort: {FreePort.NextRange(6)}
                artifactsDir: "{model.SharedArtifactsDir}"
            """);
        var apply = await stack.CliAsync("apply", "-f", spec, "--json");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        var run = await stack.WaitForRunAsync((string)JsonNode.Parse(apply.Stdout)!["id"]!, Runs.IsFinal, RunTimeout, "rollout");
        Assert.True(Runs.Status(run) == "succeeded", run.ToJsonString() + stack.Diagnostics());
        Assert.Single(RolloutTests.LiveEngines(stack));

        using var front = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{frontPort}/"), Timeout = TimeSpan.FromSeconds(60) };
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var served = 0;
        using var stopAll = new CancellationTokenSource();
        using var stopLoad = new CancellationTokenSource();
        // A steady client for the whole test, and the load that makes the backlog.
        var clients = new List<Task> { ClientAsync(front, 16, TimeSpan.FromMilliseconds(200), failures, () => Interlocked.Increment(ref served), stopAll.Token) };
        clients.AddRange(Enumerable.Range(0, 8).Select(_ => ClientAsync(front, 24, TimeSpan.Zero, failures, () => Interlocked.Increment(ref served), stopLoad.Token)));

        var started = DateTimeOffset.UtcNow;
        await Eventually.Async(async () => await RoutedLiveAsync(front) == 3, TimeSpan.FromSeconds(45),
            () => $"never 3 live routed engines (now {RolloutTests.LiveEngines(stack).Count} running)\n{stack.Diagnostics()}");
        var scaledUpAfter = DateTimeOffset.UtcNow - started;
        Assert.Equal(3, RolloutTests.LiveEngines(stack).Count);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(3, await RoutedLiveAsync(front));

        await stopLoad.CancelAsync();
        var loadStopped = DateTimeOffset.UtcNow;
        await Eventually.Async(() => Task.FromResult(RolloutTests.LiveEngines(stack).Count == 1), TimeSpan.FromSeconds(Window + 30),
            () => $"still {RolloutTests.LiveEngines(stack).Count} engines {Window + 30} s after the load stopped\n{stack.Diagnostics()}");
        var scaledDownAfter = DateTimeOffset.UtcNow - loadStopped;
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stopAll.CancelAsync();
        await Task.WhenAll(clients);

        Assert.True(failures.IsEmpty, $"{failures.Count} failed requests of {served + failures.Count}:\n{string.Join('\n', failures.Take(5))}");
        Assert.True(served > 20, $"only {served} requests were served");
        Assert.True(scaledDownAfter >= TimeSpan.FromSeconds(Window), $"scaled down {scaledDownAfter} after the load stopped, within the {Window} s window");
        Assert.Equal(1, await RoutedLiveAsync(front));
        // All of them: under this load the 1 s health interval records transitions too, more than the default page of 50.
        var events = JsonNode.Parse(await stack.Api.GetStringAsync("api/environments/local/events?limit=1000"))!.AsArray()
            .Where(e => (string?)e!["kind"] == "scaled").Select(e => e!["details"]!).Reverse().ToList();
        Assert.True(events.Count >= 2, $"scaled events: {string.Join(", ", events.Select(e => e.ToJsonString()))}\n{stack.Diagnostics()}");
        Assert.True((int)events[0]["from"]! == 1, $"scaled events: {string.Join(", ", events.Select(e => e.ToJsonString()))}");
        Assert.Equal(3, events.Where(e => (int)e["to"]! > (int)e["from"]!).Max(e => (int)e["to"]!));
        // Every change is on record, each starting where the previous ended: up to 3, then down to 1 (in one step or
        // through 2, as the steady client's backlog in the window asks).
        var steps = string.Join(" ", events.Select(e => $"{e["from"]}->{e["to"]}"));
        Assert.True(events.Zip(events.Skip(1)).All(p => (int)p.First["to"]! == (int)p.Second["from"]!), $"scaled events do not chain: {steps}");
        var peak = events.FindIndex(e => (int)e["to"]! == 3);
        Assert.True(events.Skip(peak + 1).All(e => (int)e["to"]! < (int)e["from"]!), $"not a scale-down from 3 after the peak: {steps}");
        var down = events[^1];
        Assert.Equal(1, (int)down["to"]!);
        Assert.Equal("prefillBacklog", (string?)down["metric"]);
        Assert.Equal("jetstream_prefill_backlog_size", (string?)down["prometheusMetric"]);
        Assert.True((double)events[0]["value"]! > 1, events[0].ToJsonString());
        Assert.True(scaledUpAfter < TimeSpan.FromSeconds(45));
    }

    /// <summary>Endpoints the front routes to and knows live.</summary>
    private static async Task<int> RoutedLiveAsync(HttpClient front)
    {
        var routes = await front.GetFromJsonAsync<JsonObject>("_front/routes");
        return routes!["revisions"]!.AsArray().Where(r => (int)r!["weight"]! > 0)
            .SelectMany(r => r!["endpoints"]!.AsArray()).Count(e => (bool)e!["live"]!);
    }

    private static async Task ClientAsync(
        HttpClient front, int tokens, TimeSpan pause, System.Collections.Concurrent.ConcurrentQueue<string> failures, Action served, CancellationToken stop)
    {
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await front.PostAsJsonAsync("generate", new { prompt = "Once upon a time", max_tokens = tokens }, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.IsSuccessStatusCode && JsonNode.Parse(body)?["response"] is JsonValue) served();
                else failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {(int)response.StatusCode} {body}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {e.Message}");
            }

            if (pause > TimeSpan.Zero) await Task.Delay(pause, CancellationToken.None);
        }
    }
}
