using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Orchestrator.Auth;

namespace Runner.Tests.Agent;

/// <summary>
/// The real orchestrator (<see cref="TestServer"/>) on a free loopback port against a fresh database, with a 3 s lease
/// so that expiry paths run in seconds, and a user's client. One per test class.
/// </summary>
public sealed class OrchestratorStack : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private TestServer _server = null!;

    public Uri Server => _server.BaseAddress;
    /// <summary>The test's own database.</summary>
    public string ConnectionString => _database.ConnectionString;
    public HttpClient User { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _database.CreateAsync(migrate: false);
        _server = await TestServer.StartAsync(_database);
        User = _server.Client(await CreateTokenAsync(TokenKinds.User));
        User.Timeout = TimeSpan.FromSeconds(60);
    }

    public Task<string> CreateTokenAsync(string kind) => _server.CreateTokenAsync(kind, $"runner-tests-{kind}");

    /// <summary>Applies a rollout; returns the run id.</summary>
    public async Task<Guid> ApplyAsync(JsonObject spec)
    {
        using var response = await User.PostAsJsonAsync("api/rollouts", spec, ContractJson.Options);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
    }

    public async Task<JsonObject> RunAsync(Guid runId) =>
        (await User.GetFromJsonAsync<JsonObject>($"api/runs/{runId}"))!;

    public async Task<JsonObject> StepAsync(Guid runId, string name) =>
        (await RunAsync(runId))["steps"]!.AsArray().Select(s => s!.AsObject()).Single(s => s["name"]!.GetValue<string>() == name);

    public async Task<string> LogsAsync(Guid runId)
    {
        var lines = (await User.GetFromJsonAsync<JsonArray>($"api/runs/{runId}/logs"))!;
        return string.Join('\n', lines.Select(l => l!["text"]!.GetValue<string>()));
    }

    public async Task DisposeAsync()
    {
        User.Dispose();
        await _server.DisposeAsync();
        await _database.DisposeAsync();
    }
}
