using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Auth;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Access;

/// <summary>Tokens issued through the API: validated by field, shown once, listed without their values, and refused at
/// once on every instance when revoked or expired.</summary>
public sealed class TokenLifecycleTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private TestServer _first = null!;
    private TestServer _second = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _first = await TestServer.StartAsync(_database);
        _second = await TestServer.StartAsync(_database);
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task RevokedToken_IsRefusedAtOnce_OnEveryInstance()
    {
        using var admin = _first.Client(await _first.CreateTokenAsync(TokenKinds.User, "admin"));
        using var created = await admin.PostAsJsonAsync("/api/tokens", new { name = "ci-bot", role = "operator" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        var value = body["value"]!.GetValue<string>();
        var id = body["token"]!["id"]!.GetValue<Guid>();
        using var onFirst = _first.Client(value);
        using var onSecond = _second.Client(value);
        Assert.Equal(HttpStatusCode.OK, (await onFirst.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/runs")).StatusCode);

        using var revoked = await admin.DeleteAsync($"/api/tokens/{id}");
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onSecond.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onFirst.GetAsync("/api/runs")).StatusCode);
        var listed = await admin.GetFromJsonAsync<JsonArray>("/api/tokens?all=true");
        Assert.Equal("revoked", listed!.Single(t => t!["id"]!.GetValue<Guid>() == id)!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task ExpiredToken_IsRefusedAtOnce_OnEveryInstance()
    {
        using var admin = _first.Client(await _first.CreateTokenAsync(TokenKinds.User, "admin"));
        using var created = await admin.PostAsJsonAsync("/api/tokens", new { name = "short", role = "viewer", expiresIn = "1h" });
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        var expiresAt = body["token"]!["expiresAt"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        var value = body["value"]!.GetValue<string>();
        using var onFirst = _first.Client(value);
        using var onSecond = _second.Client(value);
        Assert.Equal(HttpStatusCode.OK, (await onFirst.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/runs")).StatusCode);

        // The hour passes.
        await _database.ScalarAsync<int>("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = @id RETURNING 1",
            new { id = body["token"]!["id"]!.GetValue<Guid>() });
        Assert.Equal(HttpStatusCode.Unauthorized, (await onFirst.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onSecond.GetAsync("/api/runs")).StatusCode);
    }

    [Fact]
    public async Task CreatedToken_IsShownOnce_AndListedWithoutItsValue()
    {
        using var admin = _first.Client(await _first.CreateTokenAsync(TokenKinds.User, "admin"));
        using var created = await admin.PostAsJsonAsync("/api/tokens", new { name = "scoped", role = "operator", environments = new[] { "local" }, expiresIn = "30d" });
        var text = await created.Content.ReadAsStringAsync();
        var value = JsonNode.Parse(text)!["value"]!.GetValue<string>();
        Assert.StartsWith("orch_u_", value, StringComparison.Ordinal);
        var list = await admin.GetStringAsync("/api/tokens");
        Assert.DoesNotContain(value, list, StringComparison.Ordinal);
        var entry = JsonNode.Parse(list)!.AsArray().Single(t => t!["name"]!.GetValue<string>() == "scoped")!;
        Assert.Equal("operator", entry["role"]!.GetValue<string>());
        Assert.Equal("local", entry["environments"]![0]!.GetValue<string>());
        Assert.Equal("user:admin", entry["createdBy"]!.GetValue<string>());
        Assert.Equal("active", entry["state"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"name":"x"}""", "role")]
    [InlineData("""{"name":"x","role":"root"}""", "role")]
    [InlineData("""{"role":"viewer"}""", "name")]
    [InlineData("""{"name":"has space","role":"viewer"}""", "name")]
    [InlineData("""{"name":"x","role":"viewer","expiresIn":"forever"}""", "expiresIn")]
    [InlineData("""{"name":"x","role":"viewer","expiresIn":"0s"}""", "expiresIn")]
    [InlineData("""{"name":"x","role":"viewer","environments":[]}""", "environments")]
    [InlineData("""{"name":"x","role":"viewer","environments":["Not_A_Name"]}""", "environments[0]")]
    [InlineData("""{"name":"x","kind":"runner"}""", "kind")]
    [InlineData("""{"name":"x","kind":"registration","role":"admin"}""", "role")]
    public async Task BadRequest_NamesTheField_AndIssuesNothing(string body, string field)
    {
        using var admin = _first.Client(await _first.CreateTokenAsync(TokenKinds.User, "admin"));
        var before = await _database.ScalarAsync<long>("SELECT count(*) FROM api_tokens");
        using var response = await admin.PostAsync("/api/tokens", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![field]);
        Assert.Equal(before, await _database.ScalarAsync<long>("SELECT count(*) FROM api_tokens"));
    }

    [Fact]
    public async Task RevokeUnknown_Is404()
    {
        using var admin = _first.Client(await _first.CreateTokenAsync(TokenKinds.User, "admin"));
        using var response = await admin.DeleteAsync($"/api/tokens/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
