using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Auth;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Access;

/// <summary>Each role allowed and refused on each endpoint group. "Allowed" is any answer but 401/403: the request got
/// past authorization (most of these then answer 400, 404 or 409, changing nothing).</summary>
public sealed class RoleTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string Nobody = Guid.NewGuid().ToString();

    public static TheoryData<string, string, string?, string> Endpoints => new()
    {
        { "GET", "/api/environments", null, Roles.Viewer },
        { "GET", "/api/environments/local", null, Roles.Viewer },
        { "GET", "/api/environments/local/health", null, Roles.Viewer },
        { "GET", "/api/environments/local/events", null, Roles.Viewer },
        { "GET", "/api/environments/local/windows", null, Roles.Viewer },
        { "GET", "/api/runs", null, Roles.Viewer },
        { "GET", $"/api/runs/{Nobody}", null, Roles.Viewer },
        { "GET", $"/api/runs/{Nobody}/logs", null, Roles.Viewer },
        { "GET", "/api/schedules", null, Roles.Viewer },
        { "GET", "/api/runners", null, Roles.Viewer },
        { "GET", "/api/webhooks/bindings", null, Roles.Viewer },
        { "GET", "/api/webhooks/deliveries", null, Roles.Viewer },
        { "GET", "/api/whoami", null, Roles.Viewer },
        { "POST", "/api/plan", "{}", Roles.Viewer },
        { "POST", "/api/rollouts", "{}", Roles.Operator },
        { "POST", $"/api/runs/{Nobody}/cancel", null, Roles.Operator },
        { "POST", $"/api/runs/{Nobody}/retry", null, Roles.Operator },
        { "POST", $"/api/runs/{Nobody}/approve", null, Roles.Operator },
        { "POST", "/api/environments/nowhere/promote", null, Roles.Operator },
        { "POST", "/api/environments/nowhere/abort", null, Roles.Operator },
        { "POST", "/api/environments/nowhere/generate", "{}", Roles.Operator },
        { "POST", "/api/environments/nowhere/extend", "{}", Roles.Operator },
        { "PUT", "/api/environments/nowhere", "{}", Roles.Admin },
        { "DELETE", "/api/environments/nowhere", null, Roles.Admin },
        { "POST", "/api/environments/nowhere/teardown", null, Roles.Admin },
        { "PUT", "/api/environments/nowhere/windows", "{}", Roles.Admin },
        { "DELETE", "/api/environments/nowhere/windows", null, Roles.Admin },
        { "POST", "/api/schedules", "{}", Roles.Admin },
        { "POST", $"/api/schedules/{Nobody}/pause", null, Roles.Admin },
        { "POST", $"/api/schedules/{Nobody}/resume", null, Roles.Admin },
        { "DELETE", $"/api/schedules/{Nobody}", null, Roles.Admin },
        { "POST", "/api/webhooks/bindings", "{}", Roles.Admin },
        { "DELETE", $"/api/webhooks/bindings/{Nobody}", null, Roles.Admin },
        { "DELETE", $"/api/runners/{Nobody}", null, Roles.Admin },
        { "GET", "/api/tokens", null, Roles.Admin },
        { "POST", "/api/tokens", "{}", Roles.Admin },
        { "DELETE", $"/api/tokens/{Nobody}", null, Roles.Admin },
        { "GET", "/api/audit", null, Roles.Admin },
        { "GET", "/api/secrets", null, Roles.Admin },
        { "PUT", "/api/secrets/nothing-here", "{}", Roles.Admin },
        { "DELETE", "/api/secrets/nothing-here", null, Roles.Admin },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task EachRole_IsAllowedOrRefused_AsItsRank(string method, string path, string? body, string needed)
    {
        foreach (var role in Roles.All)
        {
            using var client = fixture.Server.Client(await IssuedTokens.CreateAsync(fixture.Server, role));
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (Roles.Satisfies(role, needed))
            {
                Assert.True(response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized), $"{role} {method} {path}: {(int)response.StatusCode} {text}");
                Assert.True((int)response.StatusCode < 500, $"{role} {method} {path}: {(int)response.StatusCode} {text}");
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{role} {method} {path}: {(int)response.StatusCode} {text}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = JsonNode.Parse(text)!;
                Assert.Equal(needed, problem["requiredRole"]!.GetValue<string>());
                Assert.Equal(role, problem["role"]!.GetValue<string>());
                Assert.Contains($"'{needed}' role", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Viewer_CannotApply_AndNothingIsWritten()
    {
        using var viewer = fixture.Server.Client(await IssuedTokens.CreateAsync(fixture.Server, Roles.Viewer));
        var before = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM rollouts");
        using var response = await viewer.PostAsJsonAsync("/api/rollouts", Specs.Local());
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM rollouts"));
    }

    [Fact]
    public async Task WhoAmI_SaysRoleAndEnvironments()
    {
        using var client = fixture.Server.Client(await IssuedTokens.CreateAsync(fixture.Server, Roles.Operator, ["local"]));
        var me = await client.GetFromJsonAsync<JsonObject>("/api/whoami");
        Assert.Equal("operator", me!["role"]!.GetValue<string>());
        Assert.Equal("local", me["environments"]![0]!.GetValue<string>());
    }
}
