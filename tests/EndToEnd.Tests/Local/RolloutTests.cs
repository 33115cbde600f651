using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Local;

/// <summary>The whole product on the local target with the real engine: apply → convert → deploy → serve, then a
/// second rollout replacing the first without one failed request.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RolloutTests(TinyModelFixture model)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task ApplyThenReplace_ServesThroughTheApi_WithoutAFailedGenerate()
    {
        await using var stack = await TestStack.StartAsync();
        var metricsPort = FreePort.Next();
        await stack.StartRunnerAsync("solo", arguments: ["--metrics-port", metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var spec = stack.WriteRollout(model.Dir, replicas: 1, FreePort.Next(), FreePort.NextRange(4));
        var before = await Metrics.ScrapeAsync(stack, metricsPort);

        var first = await stack.CliAsync("apply", "-f", spec, "--follow");

        Assert.True(first.ExitCode == 0, first + stack.Diagnostics());
        Metrics.AssertMovedWithARollout(before, await Metrics.ScrapeAsync(stack, metricsPort));
        Assert.Contains("checkpoint.convert", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("succeeded", first.Stdout, StringComparison.Ordinal);
        var generated = await stack.CliAsync("generate", "--environment", "local", "--max-tokens", "8", "Hello");
        Assert.True(generated.ExitCode == 0, generated + stack.Diagnostics());
        var streamed = await stack.CliAsync("generate", "--environment", "local", "--max-tokens", "8", "--stream", "Hello");
        Assert.True(streamed.ExitCode == 0, streamed.ToString());
        var direct = await GenerateAsync(stack);
        Assert.True(direct.Ok, direct.Error);

        using var stop = new CancellationTokenSource();
        var poller = PollGenerateAsync(stack, stop.Token);
        var second = await stack.CliAsync("apply", "-f", spec, "--json");
        Assert.True(second.ExitCode == 0, second.ToString());
        var run = await stack.WaitForRunAsync((string)JsonNode.Parse(second.Stdout)!["id"]!, Runs.IsFinal, RunTimeout, "second rollout");
        // Keep asking a little longer: the old revision's replicas are being retired now.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        var (ok, failures) = await poller;

        Assert.True(Runs.Status(run) == "succeeded", run.ToJsonString() + stack.Diagnostics());
        Assert.True(failures.Count == 0, $"{failures.Count} failed /generate calls of {ok + failures.Count}:\n{string.Join('\n', failures.Take(5))}");
        Assert.True(ok >= 3, $"only {ok} /generate calls were made during the second rollout");
        var environment = JsonNode.Parse(await stack.Api.GetStringAsync("api/environments/local"))!;
        Assert.Equal((string?)run["revision"], (string?)environment["state"]!["stableRevision"]);
        var list = await stack.CliAsync("runs", "list", "--environment", "local");
        Assert.Equal(2, list.Stdout.Split('\n').Count(l => l.Contains("succeeded", StringComparison.Ordinal)));
        var show = JsonNode.Parse((await stack.CliAsync("runs", "show", (string)run["id"]!, "--json")).Stdout)!;
        Assert.All(new[] { "id", "environment", "status", "steps" }, member => Assert.NotNull(show[member]));
        await Eventually.Async(() => Task.FromResult(LiveEngines(stack).Count == 1), TimeSpan.FromSeconds(60),
            () => $"expected only the new revision's replica alive, found {LiveEngines(stack).Count}: " +
                  string.Join('\n', LiveEngines(stack).Select(ProcessJanitor.CommandLine)));
    }

    /// <summary>Live engine replicas of this stack: recorded in its state dir (their arguments may name only a shared
    /// artifacts dir) or naming its private dir.</summary>
    internal static IReadOnlyList<int> LiveEngines(TestStack stack) =>
        ProcessJanitor.FindRecorded(stack.StateDir).Concat(ProcessJanitor.FindByCommandLine(stack.Dir)).Distinct()
            .Where(pid => ProcessJanitor.CommandLine(pid) is { } cmd && cmd.Contains(" serve ", StringComparison.Ordinal)).ToList();

    internal static async Task<(bool Ok, string Error)> GenerateAsync(TestStack stack)
    {
        try
        {
            using var response = await stack.Api.PostAsJsonAsync("api/environments/local/generate", new { prompt = "Hello", max_tokens = 4 });
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) return (false, $"{(int)response.StatusCode} {body}");
            return JsonNode.Parse(body)?["response"] is JsonValue ? (true, "") : (false, "no response text: " + body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return (false, e.Message);
        }
    }

    private static async Task<(int Ok, List<string> Failures)> PollGenerateAsync(TestStack stack, CancellationToken stop)
    {
        await Task.Yield();
        var ok = 0;
        var failures = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            var (success, error) = await GenerateAsync(stack);
            if (success) ok++;
            else failures.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {error}");
        }
        return (ok, failures);
    }
}
