using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EndToEnd.Tests.Infrastructure;
using Npgsql;
using Orchestrator.Tests.Health;

namespace EndToEnd.Tests.Local;

/// <summary>Health tracking with real processes: the runner watching a served local environment notices its engine
/// killed (down within two intervals, notified once) and back (healthy, notified once); with two runners, one watches
/// at a time and the other takes over when the first is killed.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class HealthTests(TinyModelFixture model)
{
    private const string Key = "e2e-signing-key";
    private const int IntervalSeconds = 1;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    private static async Task<TestStack> StackAsync() => await TestStack.StartAsync(new Dictionary<string, string>
    {
        ["Notifications__SigningKey"] = Key,
        ["Notifications__PollIntervalMilliseconds"] = "100",
        ["Health__SweepIntervalMilliseconds"] = "200",
    });

    private async Task ServeAsync(TestStack stack, params string[] notify)
    {
        using var put = await stack.Api.PutAsJsonAsync("api/environments/local",
            new { targetKind = "local", health = new { interval = $"{IntervalSeconds}s", notify } });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var runId = await CrashTests.ApplyAsync(stack, model, model.SharedArtifactsDir);
        var run = await stack.WaitForRunAsync(runId, Runs.IsFinal, RunTimeout, "first rollout");
        Assert.True(Runs.Status(run) == "succeeded", run.ToJsonString() + stack.Diagnostics());
    }

    private static async Task<JsonObject> HealthAsync(TestStack stack) =>
        (await stack.Api.GetFromJsonAsync<JsonObject>("api/environments/local/health?since=10m"))!;

    private static async Task<(JsonObject Health, TimeSpan After)> WaitForStatusAsync(TestStack stack, string status, TimeSpan within)
    {
        var started = DateTimeOffset.UtcNow;
        while (true)
        {
            var health = await HealthAsync(stack);
            if ((string?)health["status"] == status) return (health, DateTimeOffset.UtcNow - started);
            if (DateTimeOffset.UtcNow - started > within)
                throw new Xunit.Sdk.XunitException($"status never became {status} within {within}: {health.ToJsonString()}\n{stack.Diagnostics()}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task EngineKilled_DownWithinTwoIntervalsNotifiedOnce_BackUp_HealthyNotifiedOnce()
    {
        await using var receiver = new NotificationReceiver(Key);
        await using var stack = await StackAsync();
        await stack.StartRunnerAsync("watcher");
        await ServeAsync(stack, receiver.Url);
        await WaitForStatusAsync(stack, "healthy", TimeSpan.FromSeconds(20));
        // The first status (unknown -> healthy) is notified too; count from after it.
        await Eventually.Async(() => Task.FromResult(!receiver.Deliveries.IsEmpty), TimeSpan.FromSeconds(10), () => "the first notification");
        var before = receiver.Deliveries.Count;

        var engine = Assert.Single(RolloutTests.LiveEngines(stack));
        var args = File.ReadAllText($"/proc/{engine}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var environment = File.ReadAllText($"/proc/{engine}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", engine.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();

        var (down, after) = await WaitForStatusAsync(stack, "down", TimeSpan.FromSeconds(10));
        Assert.True(after <= TimeSpan.FromSeconds(2 * IntervalSeconds + 1), $"down only after {after}: {down.ToJsonString()}");

        // The same engine, started again on its port, as a supervisor would.
        await using var restarted = ManagedProcess.Start("engine (restarted)", args[0], args.Skip(1), environment, Path.Combine(stack.Dir, "engine-restarted.log"));
        await WaitForStatusAsync(stack, "healthy", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3 * IntervalSeconds));

        var health = await HealthAsync(stack);
        Assert.Equal("healthy", (string?)health["status"]);
        var transitions = health["transitions"]!.AsArray().Select(t => (string?)t!["to"]).ToList();
        Assert.Equal(["healthy", "down", "healthy"], transitions.TakeLast(3));
        await Eventually.Async(() => Task.FromResult(receiver.Deliveries.Count >= before + 2), TimeSpan.FromSeconds(10), () => "two notifications");
        await Task.Delay(500);
        var sent = receiver.Deliveries.Skip(before).Select(d => JsonNode.Parse(d.Body)!).ToList();
        Assert.All(receiver.Deliveries, d => Assert.True(d.SignatureValid));
        Assert.Equal(["down", "healthy"], sent.Select(b => (string?)b["data"]!["to"]));
    }

    [Fact]
    public async Task TwoRunners_OneWatchesAtATime_TheOtherTakesOverWhenItIsKilled()
    {
        await using var stack = await StackAsync();
        var first = await stack.StartRunnerAsync("first");
        await ServeAsync(stack);
        var second = await stack.StartRunnerAsync("second");
        await WaitForStatusAsync(stack, "healthy", TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(3));

        var holder = (string?)(await HealthAsync(stack))["watcher"]!["runnerName"];
        var doomed = holder == "first" ? first : second;
        await doomed.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;
        await Eventually.Async(async () => (string?)(await HealthAsync(stack))["watcher"]?["runnerName"] is { } name && name != holder,
            TimeSpan.FromSeconds(30), () => "the other runner never took the watch");
        var takeover = DateTimeOffset.UtcNow - killedAt;
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("healthy", (string?)(await HealthAsync(stack))["status"]);
        // A lease of 2/3 interval, renewed by the other runner every 1/3 interval (plus a runner registering and the API's answer).
        Assert.True(takeover <= TimeSpan.FromSeconds(IntervalSeconds + 2), $"takeover took {takeover}");

        // Exactly one holder at a time: the two runners' samples never interleave in time.
        await using var connection = new NpgsqlConnection(stack.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT runner_id, min(at), max(at), count(*) FROM health_samples WHERE environment = 'local' GROUP BY runner_id ORDER BY min(at)", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var spans = new List<(DateTime From, DateTime To, long Count)>();
        while (await reader.ReadAsync()) spans.Add((reader.GetDateTime(1), reader.GetDateTime(2), reader.GetInt64(3)));
        Assert.Equal(2, spans.Count);
        Assert.True(spans[0].To < spans[1].From, $"samples overlap: {string.Join(", ", spans)}");
        Assert.True(spans[1].Count >= 2, $"the new holder reported {spans[1].Count} samples");
    }
}
