using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Orchestrator.Auth;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Access;

/// <summary>A token limited to environments sees and changes only those.</summary>
public sealed class ScopeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task LimitedOperator_SeesAndActsOnItsEnvironmentsOnly()
    {
        using var admin = await UserClient.CreateAsync(fixture.Server);
        await admin.CreateEnvironmentAsync("scope-a");
        await admin.CreateEnvironmentAsync("scope-b");
        var runB = await admin.ApplyAsync(Specs.Local("scope-b"));
        using var limited = fixture.Server.Client(await IssuedTokens.CreateAsync(fixture.Server, Roles.Operator, ["scope-a"]));

        var environments = await limited.GetFromJsonAsync<JsonArray>("/api/environments");
        Assert.Equal(["scope-a"], environments!.Select(e => e!["name"]!.GetValue<string>()).ToArray());
        var runs = await limited.GetFromJsonAsync<JsonArray>("/api/runs");
        Assert.Empty(runs!);
        Assert.Empty((await limited.GetFromJsonAsync<JsonArray>("/api/runs?environment=scope-b"))!);

        await AssertScopeRefusedAsync(await limited.GetAsync($"/api/runs/{runB.Id}"), "scope-b");
        await AssertScopeRefusedAsync(await limited.PostAsync($"/api/runs/{runB.Id}/cancel", null), "scope-b");
        await AssertScopeRefusedAsync(await limited.GetAsync($"/api/runs/{runB.Id}/logs"), "scope-b");
        var stepB = await fixture.Database.ScalarAsync<Guid>("SELECT id FROM steps WHERE run_id = @id LIMIT 1", new { id = runB.Id });
        await AssertScopeRefusedAsync(await limited.GetAsync($"/api/steps/{stepB}/logs"), "scope-b");
        await AssertScopeRefusedAsync(await limited.GetAsync("/api/environments/scope-b"), "scope-b");
        await AssertScopeRefusedAsync(await limited.PostAsync("/api/environments/scope-b/promote", null), "scope-b");
        await AssertScopeRefusedAsync(await limited.PostAsJsonAsync("/api/rollouts", Specs.Local("scope-b")), "scope-b");
        await AssertScopeRefusedAsync(await limited.PostAsJsonAsync("/api/plan", Specs.Local("scope-b")), "scope-b");
        Assert.NotEqual(RunStatuses.Cancelled, (await admin.GetRunAsync(runB.Id)).Status);

        using var own = await limited.PostAsJsonAsync("/api/rollouts", Specs.Local("scope-a"));
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        var ownRun = JsonNode.Parse(await own.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.OK, (await limited.GetAsync($"/api/runs/{ownRun}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await limited.PostAsync($"/api/runs/{ownRun}/cancel", null)).StatusCode);
        Assert.Single((await limited.GetFromJsonAsync<JsonArray>("/api/runs"))!);
    }

    [Fact]
    public async Task LimitedAdmin_IsRefusedWhatBelongsToNoEnvironment()
    {
        using var limited = fixture.Server.Client(await IssuedTokens.CreateAsync(fixture.Server, Roles.Admin, ["local"]));
        foreach (var path in new[] { "/api/tokens", "/api/audit", "/api/webhooks/bindings", "/api/secrets" })
        {
            using var response = await limited.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Contains("not limited to environments", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        using var remove = await limited.DeleteAsync($"/api/runners/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.Forbidden, remove.StatusCode);
        // Its own environment's settings are an admin's to change.
        using var put = await limited.PutAsJsonAsync("/api/environments/local/windows", new { windows = Array.Empty<object>() });
        Assert.NotEqual(HttpStatusCode.Forbidden, put.StatusCode);
    }

    private static async Task AssertScopeRefusedAsync(HttpResponseMessage response, string environment)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(environment, JsonNode.Parse(text)!["environment"]!.GetValue<string>());
        }
    }
}
