using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Health;

/// <summary><c>POST /api/runners/watches/events</c>: a watch holder's <c>scaled</c> event becomes an environment event,
/// fenced by the watch token (a runner that does not hold the watch is told the environment is stale and writes
/// nothing); bad events are refused by field.</summary>
public sealed class WatchEventsTests
{
    private static WatchEvent Scaled(string environment, Guid token, int from, int to) => new()
    {
        Environment = environment, WatchToken = token, Kind = WatchEvent.Scaled, At = DateTimeOffset.UtcNow,
        Details = new JsonObject { ["revision"] = "r1", ["from"] = from, ["to"] = to, ["metric"] = "prefillBacklog", ["value"] = 6.5, ["target"] = 2 },
    };

    private static async Task<HttpResponseMessage> ReportAsync(ProtocolClient runner, params WatchEvent[] events) =>
        await runner.Http.PostAsJsonAsync("/api/runners/watches/events", new ReportEventsRequest { Events = events }, ContractJson.Options);

    [Fact]
    public async Task ScaledEvent_FromTheHolder_IsAnEnvironmentEvent_FromAnotherRunnerIsStale()
    {
        await using var h = await Harness.StartAsync();
        using (var put = await h.User.Http.PutAsJsonAsync("/api/environments/local", new { targetKind = "local", health = new { interval = "30s" } }))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        using var holder = await h.RunnerAsync("holder");
        using var other = await h.RunnerAsync("other");
        var run = await h.User.ApplyAsync(Specs.Local("local"));
        await holder.DrainAsync(h.User, [run.Id], outputs: claim => claim.Kind == StepKinds.RevisionPromote
            ? new JsonObject { ["environment"] = new JsonObject { ["stableRevision"] = claim.Revision, ["frontUrl"] = "http://127.0.0.1:9" } }
            : null);
        await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded);
        using var watch = await holder.Http.PostAsJsonAsync("/api/runners/watches", new WatchRequest { Kinds = ["local"] }, ContractJson.Options);
        var lease = Assert.Single((await watch.Content.ReadFromJsonAsync<WatchResponse>(ContractJson.Options))!.Watches);

        using var accepted = await ReportAsync(holder, Scaled("local", lease.WatchToken, 1, 3));
        using var stale = await ReportAsync(other, Scaled("local", lease.WatchToken, 3, 1));

        Assert.Equal(1, (await accepted.Content.ReadFromJsonAsync<ReportSamplesResponse>(ContractJson.Options))!.Accepted);
        var refused = (await stale.Content.ReadFromJsonAsync<ReportSamplesResponse>(ContractJson.Options))!;
        Assert.Equal(0, refused.Accepted);
        Assert.Equal(["local"], refused.Stale);
        var events = (await h.User.Http.GetFromJsonAsync<JsonArray>("/api/environments/local/events"))!;
        var scaled = Assert.Single(events, e => (string?)e!["kind"] == "scaled")!;
        Assert.Equal((1, 3), ((int)scaled["details"]!["from"]!, (int)scaled["details"]!["to"]!));
        Assert.Equal(6.5, (double)scaled["details"]!["value"]!);
    }

    [Theory]
    [InlineData("grew", "events[0].kind")]
    [InlineData("", "events[0].environment")]
    public async Task BadEvent_Is400NamingTheField(string kindOrEnvironment, string field)
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync("r");
        var e = Scaled("local", Guid.NewGuid(), 1, 2);
        e = field.EndsWith("kind", StringComparison.Ordinal) ? e with { Kind = kindOrEnvironment } : e with { Environment = kindOrEnvironment };

        using var response = await ReportAsync(runner, e);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![field]);
    }
}
