using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Health;

/// <summary>Watch leases, samples, derived status, the unknown sweep and signed notifications, through the real
/// runner protocol and API of a real orchestrator on a real database.</summary>
public sealed class HealthTrackingTests
{
    private const string Key = "test-signing-key";

    private static readonly string[] FastHealth =
    [
        "--Health:SweepIntervalMilliseconds", "100", "--Notifications:PollIntervalMilliseconds", "50",
        "--Notifications:InitialBackoffSeconds", "0.1", "--Notifications:MaxBackoffSeconds", "0.5",
    ];

    private static async Task PutEnvironmentAsync(Harness h, string name, int intervalSeconds, params string[] notify)
    {
        using var response = await h.User.Http.PutAsJsonAsync($"/api/environments/{name}",
            new { targetKind = "local", health = new { interval = $"{intervalSeconds}s", notify } });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    // A first rollout that succeeds makes r1 stable: the environment is served from then on.
    private static async Task ServeAsync(Harness h, ProtocolClient runner, string environment = "local")
    {
        var run = await h.User.ApplyAsync(Specs.Local(environment));
        await runner.DrainAsync(h.User, [run.Id], outputs: claim => claim.Kind == StepKinds.RevisionPromote
            ? new JsonObject { ["environment"] = new JsonObject { ["stableRevision"] = claim.Revision, ["frontUrl"] = "http://127.0.0.1:9" } }
            : null);
        await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded);
    }

    private static async Task<WatchResponse> WatchAsync(ProtocolClient runner, params string[] release)
    {
        // A runner handing watches back (shutting down) asks for none.
        var request = new WatchRequest { Kinds = release.Length == 0 ? ["local"] : [], Release = release };
        using var response = await runner.Http.PostAsJsonAsync("/api/runners/watches", request, ContractJson.Options);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<WatchResponse>(ContractJson.Options))!;
    }

    private static HealthSample Sample(WatchLease lease, bool ok = true, double latency = 20) => new()
    {
        Environment = lease.Environment, WatchToken = lease.WatchToken, At = DateTimeOffset.UtcNow, Revision = lease.State.StableRevision,
        HealthcheckOk = ok, GenerateOk = ok, GenerateLatencyMs = ok ? latency : null, ReplicasTotal = 1, ReplicasReady = ok ? 1 : 0,
        Error = ok ? null : "front /generate: 502",
    };

    private static async Task<ReportSamplesResponse> ReportAsync(ProtocolClient runner, params HealthSample[] samples)
    {
        using var response = await runner.Http.PostAsJsonAsync("/api/runners/watches/samples", new ReportSamplesRequest { Samples = samples }, ContractJson.Options);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ReportSamplesResponse>(ContractJson.Options))!;
    }

    private static async Task<JsonObject> HealthAsync(Harness h, string environment = "local", string since = "1h") =>
        (await h.User.Http.GetFromJsonAsync<JsonObject>($"/api/environments/{environment}/health?since={since}"))!;

    private static async Task<JsonObject> WaitForStatusAsync(Harness h, string status, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (true)
        {
            var health = await HealthAsync(h);
            if ((string?)health["status"] == status) return health;
            if (DateTimeOffset.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"status never became {status}: {health.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Watches_OneHolderAtATime_TakenOverOnceTheHolderStopsRenewing_OldTokenIsStale()
    {
        await using var h = await Harness.StartAsync(FastHealth);
        // 3 s: a lease of 2 s, long enough that the reads below see it held on a machine busy with other work.
        await PutEnvironmentAsync(h, "local", 3);
        using var a = await h.RunnerAsync("a");
        using var b = await h.RunnerAsync("b");
        using var gpu = await h.RunnerAsync("other-kind", "kubernetes");
        Assert.Empty((await WatchAsync(a)).Watches);
        await ServeAsync(h, a);

        var first = Assert.Single((await WatchAsync(a)).Watches);
        Assert.Equal("r1", first.State.StableRevision);
        Assert.Equal(3, first.IntervalSeconds);
        Assert.Equal("local", first.Spec["environment"]!.GetValue<string>());
        Assert.Empty((await WatchAsync(b)).Watches);
        Assert.Empty((await WatchAsync(gpu)).Watches);
        // Renewing keeps the token.
        Assert.Equal(first.WatchToken, Assert.Single((await WatchAsync(a)).Watches).WatchToken);
        Assert.Equal(1, (await ReportAsync(a, Sample(first))).Accepted);
        Assert.Equal(a.RunnerId.ToString(), (string?)(await HealthAsync(h))["watcher"]!["runnerId"]);

        // a stops renewing: within one interval its lease is gone and b takes the environment with a new token.
        await Task.Delay(TimeSpan.FromSeconds(2.1));
        var taken = Assert.Single((await WatchAsync(b)).Watches);
        Assert.NotEqual(first.WatchToken, taken.WatchToken);
        var late = await ReportAsync(a, Sample(first));
        Assert.Equal(0, late.Accepted);
        Assert.Equal(["local"], late.Stale);
        Assert.Empty((await WatchAsync(a)).Watches);
        Assert.Equal(1, (await ReportAsync(b, Sample(taken))).Accepted);

        // Handing back lets another runner take it at once.
        Assert.Empty((await WatchAsync(b, "local")).Watches);
        Assert.NotEqual(taken.WatchToken, Assert.Single((await WatchAsync(a)).Watches).WatchToken);
    }

    [Fact]
    public async Task Status_FollowsSamples_EachChangeNotifiedOnceSigned_RetriedAfterA500()
    {
        await using var receiver = new NotificationReceiver(Key, 500);
        await using var h = await Harness.StartAsync([.. FastHealth, "--Notifications:SigningKey", Key]);
        await PutEnvironmentAsync(h, "local", 30, receiver.Url);
        using var runner = await h.RunnerAsync();
        await ServeAsync(h, runner);
        var lease = Assert.Single((await WatchAsync(runner)).Watches);
        Assert.Equal("unknown", (string?)(await HealthAsync(h))["status"]);

        await ReportAsync(runner, Sample(lease));
        await ReportAsync(runner, Sample(lease));
        Assert.Equal("healthy", (string?)(await HealthAsync(h))["status"]);
        await ReportAsync(runner, Sample(lease, ok: false));
        await ReportAsync(runner, Sample(lease, ok: false));
        var down = await HealthAsync(h);
        Assert.Equal("down", (string?)down["status"]);
        Assert.Contains("502", (string?)down["reason"], StringComparison.Ordinal);
        await ReportAsync(runner, Sample(lease, latency: 60_000));
        Assert.Equal("degraded", (string?)(await HealthAsync(h))["status"]);
        await ReportAsync(runner, Sample(lease));

        var health = await WaitForStatusAsync(h, "healthy", TimeSpan.FromSeconds(5));
        var transitions = health["transitions"]!.AsArray().Select(t => $"{t!["from"]}>{t["to"]}").ToList();
        Assert.Equal(["unknown>healthy", "healthy>down", "down>degraded", "degraded>healthy"], transitions);
        Assert.Equal(6, health["points"]!.AsArray().Count);
        Assert.Equal("raw", (string?)health["resolution"]);

        // Four events; the first was answered 500 once and sent again.
        await Eventually(() => receiver.Deliveries.Count(d => d.Answered == 200) == 4, TimeSpan.FromSeconds(10));
        var deliveries = receiver.Deliveries.ToList();
        Assert.Equal(5, deliveries.Count);
        Assert.All(deliveries, d => Assert.True(d.SignatureValid, d.Body));
        var refused = Assert.Single(deliveries, d => d.Answered == 500);
        Assert.Equal(2, deliveries.Count(d => d.EventId == refused.EventId));
        Assert.Equal(4, deliveries.Where(d => d.Answered == 200).Select(d => d.EventId).Distinct().Count());
        var bodies = deliveries.Where(d => d.Answered == 200).Select(d => JsonNode.Parse(d.Body)!).OrderBy(b => (DateTimeOffset)b["at"]!).ToList();
        Assert.All(bodies, b => Assert.Equal("status", (string?)b["event"]));
        Assert.Equal(["healthy", "down", "degraded", "healthy"], bodies.Select(b => (string?)b["data"]!["to"]));
        var recorded = (await HealthAsync(h))["notifications"]!.AsArray();
        Assert.Equal(4, recorded.Count);
        Assert.Equal(2, (int)recorded.Single(n => (string?)n!["eventId"] == refused.EventId)!["attempts"]!);
        Assert.All(recorded, n => Assert.NotNull(n!["deliveredAt"]));
        // The URL's query may hold a token: the API names only the host.
        Assert.DoesNotContain("token=abc", recorded.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SamplesStop_StatusBecomesUnknownAfterThreeIntervals()
    {
        await using var h = await Harness.StartAsync(FastHealth);
        await PutEnvironmentAsync(h, "local", 1);
        using var runner = await h.RunnerAsync();
        await ServeAsync(h, runner);
        var lease = Assert.Single((await WatchAsync(runner)).Watches);
        await ReportAsync(runner, Sample(lease));
        Assert.Equal("healthy", (string?)(await HealthAsync(h))["status"]);

        var unknown = await WaitForStatusAsync(h, "unknown", TimeSpan.FromSeconds(8));
        Assert.Contains("watch", (string?)unknown["reason"], StringComparison.Ordinal);
        Assert.Null(unknown["watcher"]);
    }

    [Fact]
    public async Task BadHealthSettingsAndQueries_AreRefusedNamingTheField()
    {
        await using var h = await Harness.StartAsync();
        async Task<JsonObject> PutAsync(object health)
        {
            using var response = await h.User.Http.PutAsJsonAsync("/api/environments/bad", new { targetKind = "local", health });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        }

        Assert.NotNull((await PutAsync(new { interval = "0s" }))["errors"]!["health.interval"]);
        Assert.NotNull((await PutAsync(new { interval = "soon" }))["errors"]!["health.interval"]);
        Assert.NotNull((await PutAsync(new { notify = new[] { "ftp://x" } }))["errors"]!["health.notify[0]"]);
        // No signing key on this orchestrator: nothing would be sent unsigned, so URLs are refused.
        var unsigned = await PutAsync(new { notify = new[] { "https://hooks.example.com/x" } });
        Assert.Contains("signing key", unsigned["errors"]!["health.notify"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        using var missing = await h.User.Http.GetAsync("/api/environments/bad/health");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        await h.User.CreateEnvironmentAsync("fine");
        using var since = await h.User.Http.GetAsync("/api/environments/fine/health?since=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, since.StatusCode);
        Assert.Contains("since", await since.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var fresh = (await h.User.Http.GetFromJsonAsync<JsonObject>("/api/environments/fine"))!;
        Assert.Equal("unknown", (string?)fresh["healthStatus"]);
        Assert.Equal("30s", (string?)fresh["health"]!["interval"]);
    }

    private static async Task Eventually(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline) throw new Xunit.Sdk.XunitException("the condition never held");
            await Task.Delay(50);
        }
    }
}
