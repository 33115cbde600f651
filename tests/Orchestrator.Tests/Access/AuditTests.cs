using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Auth;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Access;

/// <summary>Every change — allowed or refused — is in <c>GET /api/audit</c> with who, what, when and from where; reads,
/// previews and bodies are not.</summary>
public sealed class AuditTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Changes_AreWritten_WithWhoWhatWhenAndWhere()
    {
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var admin = fixture.Server.Client(await fixture.Server.CreateTokenAsync(TokenKinds.User, "audit-admin"));
        using var viewer = fixture.Server.Client(await IssuedTokens.CreateAsync(fixture.Server, Roles.Viewer));
        using var user = await UserClient.CreateAsync(fixture.Server);
        var run = await user.ApplyAsync(Specs.Local());
        await user.PostAsync($"/api/runs/{run.Id}/cancel");
        using var refused = await viewer.PostAsJsonAsync("/api/rollouts", Specs.Local());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var plan = await user.Http.PostAsJsonAsync("/api/plan", Specs.Local());
        using var issued = await admin.PostAsJsonAsync("/api/tokens", new { name = "audited", role = "viewer" });
        var secretValue = JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["value"]!.GetValue<string>();

        var text = await admin.GetStringAsync("/api/audit?limit=1000");
        Assert.DoesNotContain(secretValue, text, StringComparison.Ordinal);
        var entries = JsonNode.Parse(text)!.AsArray().Select(e => e!).ToList();
        var apply = entries.Single(e => e["action"]!.GetValue<string>() == "POST /api/rollouts" && e["status"]!.GetValue<int>() == 202);
        Assert.Equal("user:tester", apply["actor"]!.GetValue<string>());
        Assert.Equal("local", apply["environment"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", apply["remote"]!.GetValue<string>());
        Assert.InRange(apply["at"]!.GetValue<DateTimeOffset>(), started, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Contains(entries, e => e["path"]?.GetValue<string>() == $"/api/runs/{run.Id}/cancel" && e["status"]!.GetValue<int>() == 202
            && e["action"]!.GetValue<string>() == "POST /api/runs/{id:guid}/cancel");
        Assert.Contains(entries, e => e["action"]!.GetValue<string>() == "POST /api/rollouts" && e["status"]!.GetValue<int>() == 403
            && e["actor"]!.GetValue<string>().StartsWith("user:viewer", StringComparison.Ordinal));
        Assert.Contains(entries, e => e["action"]!.GetValue<string>() == "POST /api/tokens" && e["status"]!.GetValue<int>() == 201);
        Assert.DoesNotContain(entries, e => e["action"]!.GetValue<string>() == "POST /api/plan");
        Assert.DoesNotContain(entries, e => e["method"]?.GetValue<string>() == "GET");

        var mine = await admin.GetFromJsonAsync<JsonArray>("/api/audit?actor=tester");
        Assert.All(mine!, e => Assert.True(e!["actor"]!.GetValue<string>() is "tester" or "user:tester"));
        Assert.NotEmpty(mine!);
        var page = await admin.GetFromJsonAsync<JsonArray>("/api/audit?limit=2");
        Assert.Equal(2, page!.Count);
        var next = await admin.GetFromJsonAsync<JsonArray>($"/api/audit?limit=2&before={page[1]!["id"]}");
        Assert.True(next![0]!["id"]!.GetValue<long>() < page[1]!["id"]!.GetValue<long>());
    }
}
